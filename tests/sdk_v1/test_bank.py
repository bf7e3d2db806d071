"""The bank invariant when the game spends while the backend pays: client debits and consumes
race server credits, inventory grants and grants the client claims, from many threads.

Afterwards the books balance: each holding equals the sum of its ledger rows, replaying the
ledger in id order never goes negative, and the totals equal what the acknowledged operations
add up to (a 409 debit or consume changes nothing; a resent key applies once).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine, select

from kraty_admin import KratyServerError
from kraty_local.store.schema import inventory, inventory_ledger, wallet_ledger, wallets
from tests._http import http_lib

from .conftest import PlayerFactory

SEED = 20261206
OPERATIONS = 160
THREADS = 8


def _replays_without_going_negative(engine: Engine) -> None:
    for ledger, after in ((wallet_ledger, "balance_after"), (inventory_ledger, "quantity_after")):
        with engine.connect() as conn:
            rows = conn.execute(select(ledger).order_by(ledger.c.id)).all()
        running: dict[tuple[str, str], int] = {}
        for row in rows:
            key = (row.player_id, row.economy_key if ledger is wallet_ledger else row.item_key)
            running[key] = running.get(key, 0) + row.delta
            assert running[key] >= 0
            assert running[key] == row._mapping[after]


def test_client_spending_races_server_payments(
    client: http_lib.Client, player_of: PlayerFactory, engine: Engine
) -> None:
    game = player_of("p1")
    rng = random.Random(SEED)
    expected = {"gold": 0, "sword": 0}

    def credit(n: int, amount: int) -> Callable[[], tuple[str, int]]:
        def run() -> tuple[str, int]:
            body = {"amount": amount, "idempotencyKey": f"credit-{n}"}
            for _ in range(2):  # resent: applies once
                assert client.post("/players/p1/wallet/gold/credit", json=body).status_code == 200
            return "gold", amount

        return run

    def item_grant(n: int, quantity: int) -> Callable[[], tuple[str, int]]:
        def run() -> tuple[str, int]:
            body = {"quantity": quantity, "idempotencyKey": f"item-{n}"}
            assert client.post("/players/p1/inventory/sword/grant", json=body).status_code == 200
            return "sword", quantity

        return run

    def grant_and_claim(n: int, amount: int) -> Callable[[], tuple[str, int]]:
        def run() -> tuple[str, int]:
            entries = [{"type": "currency", "currencyKey": "gold", "amount": amount}]
            body = {"idempotencyKey": f"grant-{n}", "entries": entries}
            grant_id = client.post("/players/p1/grants", json=body).json()["data"]["id"]
            game.claim(grant_id, idempotency_key=f"claim-{n}")
            game.claim(grant_id, idempotency_key=f"claim-{n}")  # a lost answer, resent
            return "gold", amount

        return run

    def spend(n: int, key: str, units: int) -> Callable[[], tuple[str, int]]:
        def run() -> tuple[str, int]:
            try:
                for _ in range(2):
                    if key == "gold":
                        game.debit("gold", units, idempotency_key=f"spend-{n}")
                    else:
                        game.consume("sword", units, idempotency_key=f"spend-{n}")
            except KratyServerError as err:
                if not err.is_conflict:
                    raise
                return key, 0
            return key, -units

        return run

    work: list[Callable[[], tuple[str, int]]] = []
    for n in range(OPERATIONS):
        pick = rng.random()
        if pick < 0.25:
            work.append(credit(n, rng.randint(1, 40)))
        elif pick < 0.35:
            work.append(item_grant(n, rng.randint(1, 3)))
        elif pick < 0.45:
            work.append(grant_and_claim(n, rng.randint(1, 40)))
        elif pick < 0.85:
            work.append(spend(n, "gold", rng.randint(1, 60)))
        else:
            work.append(spend(n, "sword", rng.randint(1, 3)))
    with ThreadPoolExecutor(THREADS) as pool:
        outcomes: list[Any] = list(pool.map(lambda run: run(), work))
    for key, delta in outcomes:
        expected[key] += delta

    with engine.connect() as conn:
        gold = conn.execute(select(wallets.c.balance)).scalar_one()
        swords = conn.execute(select(inventory.c.quantity)).scalar_one()
    assert {"gold": gold, "sword": swords} == expected
    assert game.balance("gold") == gold
    _replays_without_going_negative(engine)
    refused = sum(1 for key, delta in outcomes if delta == 0)
    assert 0 < refused < OPERATIONS  # both kinds of outcome happened
