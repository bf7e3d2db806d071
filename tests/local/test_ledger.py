"""Money never goes wrong: under concurrency, balance = ledger sum and nothing goes negative."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, Table, select

from kraty_local.store.schema import inventory, inventory_ledger, wallet_ledger, wallets
from tests._http import http_lib


@pytest.mark.parametrize(
    ("path", "field", "holding", "ledger", "amount_col", "after_col"),
    [
        (
            "/players/p1/wallet/gold/{op}",
            "amount",
            wallets,
            wallet_ledger,
            "balance",
            "balance_after",
        ),
        (
            "/players/p1/inventory/health_potion/{op}",
            "quantity",
            inventory,
            inventory_ledger,
            "quantity",
            "quantity_after",
        ),
    ],
    ids=["wallet", "inventory"],
)
def test_concurrent_credits_and_debits_keep_the_books(
    client: http_lib.Client,
    engine: Engine,
    path: str,
    field: str,
    holding: Table,
    ledger: Table,
    amount_col: str,
    after_col: str,
) -> None:
    rng = random.Random(7)
    ops = [("credit" if rng.random() < 0.5 else "debit", rng.randint(1, 20)) for _ in range(96)]
    up, down = ("credit", "debit") if field == "amount" else ("grant", "revoke")

    def send(i: int) -> http_lib.Response:
        op, amount = ops[i]
        return client.post(
            path.format(op=up if op == "credit" else down),
            json={field: amount, "idempotencyKey": f"op-{i}"},
        )

    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(send, range(len(ops))))

    # 409: not enough to debit. 503 with Retry-After: the documented "database busy, nothing
    # applied, retry" a loaded machine may see when a writer waits past the lock timeout.
    assert {r.status_code for r in responses} <= {200, 409, 503}
    applied = [(ops[i], r) for i, r in enumerate(responses) if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 409]
    busy = [r for r in responses if r.status_code == 503]
    assert all(r.headers.get("Retry-After") for r in busy)
    assert all(
        r.json()["error"]["details"]["available"] < r.json()["error"]["details"]["requested"]
        for r in refused
    )
    expected = sum(a if op == "credit" else -a for (op, a), _ in applied)
    with engine.connect() as conn:
        value = conn.execute(select(holding.c[amount_col])).scalar_one()
        rows = conn.execute(select(ledger).order_by(ledger.c.id)).all()
    assert value == expected == sum(r.delta for r in rows)
    assert len(rows) == len(applied)
    assert all(getattr(r, after_col) >= 0 for r in rows)
    running = 0
    for row in rows:  # the ledger replays to every recorded intermediate value
        running += row.delta
        assert getattr(row, after_col) == running
