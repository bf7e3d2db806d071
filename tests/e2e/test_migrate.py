"""Bulk migration through the SDK: the product page's example, replays, limits, the streaming
engine, and the ledger and outbox afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from kraty_admin import KratyServerError
from kraty_admin.testing import KratyLocal
from kraty_local.store.schema import (
    inventory,
    players,
    wallet_ledger,
    wallets,
    webhook_outbox,
)


def scalar(kraty: KratyLocal, query: Any) -> Any:
    with kraty.server.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_product_page_example(kraty: KratyLocal) -> None:
    out = kraty.client.migrate.players(
        [
            {"externalPlayerId": "p_1", "idempotencyKey": "p_1"},
            {
                "externalPlayerId": "p_2",
                "idempotencyKey": "p_2",
                "contextSnapshot": {"country": "PT"},
            },
        ]
    )
    wallet = kraty.client.migrate.wallet(
        [
            {
                "externalPlayerId": "p_1",
                "economyKey": "gold",
                "amount": 1500,
                "idempotencyKey": "p_1:gold",
            }
        ]
    )
    items = kraty.client.migrate.inventory(
        [
            {
                "externalPlayerId": "p_1",
                "itemKey": "starter_chest",
                "quantity": 1,
                "parameters": {"rolled": {"atk": 4}},
                "idempotencyKey": "p_1:starter_chest",
            }
        ]
    )

    assert out == {"applied": 2, "skipped": 0, "failed": 0, "failures": []}
    assert (wallet["applied"], items["applied"]) == (1, 1)
    assert scalar(kraty, select(wallets.c.balance)) == 1500
    assert scalar(kraty, select(inventory.c.parameters)) == {"rolled": {"atk": 4}}
    assert scalar(kraty, select(func.count()).select_from(webhook_outbox)) == 0


def test_replaying_a_batch_skips_every_row(kraty: KratyLocal) -> None:
    rows = [{"externalPlayerId": f"p{i}", "idempotencyKey": f"p{i}"} for i in range(10)]
    kraty.client.migrate.players(rows)

    again = kraty.client.migrate.players(rows)

    assert (again["applied"], again["skipped"], again["failed"]) == (0, 10, 0)


def test_bad_rows_are_reported(kraty: KratyLocal) -> None:
    kraty.client.migrate.players([{"externalPlayerId": "p1", "idempotencyKey": "p1"}])

    out = kraty.client.migrate.wallet(
        [
            {"externalPlayerId": "p1", "economyKey": "gold", "amount": 5, "idempotencyKey": "a"},
            {
                "externalPlayerId": "nobody",
                "economyKey": "gold",
                "amount": 5,
                "idempotencyKey": "b",
            },
            {"externalPlayerId": "p1", "economyKey": "gold", "amount": 0, "idempotencyKey": "c"},
        ]
    )

    assert (out["applied"], out["failed"]) == (2, 1)  # an unknown player is created
    assert [
        (f["rowIndex"], f["externalPlayerId"], f["error"]["code"]) for f in out["failures"]
    ] == [(2, "p1", "validation_failed")]
    assert kraty.client.players.get("nobody")["wallet"][0]["balance"] == 5
    assert scalar(kraty, select(func.count()).select_from(webhook_outbox)) == 0


def test_1001_rows_are_refused_and_nothing_applies(kraty: KratyLocal) -> None:
    rows = [{"externalPlayerId": f"p{i}", "idempotencyKey": f"p{i}"} for i in range(1001)]

    with pytest.raises(KratyServerError) as caught:
        kraty.client.migrate.players(rows)

    assert caught.value.is_validation_failed
    assert scalar(kraty, select(func.count()).select_from(players)) == 0


def test_streaming_import_of_a_few_thousand_rows(kraty: KratyLocal) -> None:
    n = 3500

    def player_rows() -> Iterator[dict[str, Any]]:
        for i in range(n):
            yield {"externalPlayerId": f"user/{i}", "idempotencyKey": f"user/{i}"}

    def wallet_rows() -> Iterator[dict[str, Any]]:
        for i in range(n):
            yield {"externalPlayerId": f"user/{i}", "economyKey": "gems", "amount": i + 1}
        yield {"externalPlayerId": "user/0", "economyKey": "rubies", "amount": 1}  # unknown

    progress: list[int] = []
    first = kraty.client.migrate.players_all(
        player_rows(), on_progress=lambda p: progress.append(p.rows_done)
    )
    credited = kraty.client.migrate.wallet_all(wallet_rows(), batch_size=700, concurrency=3)
    replay = kraty.client.migrate.players_all(player_rows())

    assert (first["applied"], first["skipped"], first["failed"]) == (n, 0, 0)
    assert sorted(progress)[-1] == n
    assert (credited["applied"], credited["failed"]) == (n, 1)
    assert credited["failures"][0]["rowIndex"] == n
    assert (replay["applied"], replay["skipped"]) == (0, n)
    assert scalar(kraty, select(func.count()).select_from(players)) == n
    assert scalar(kraty, select(func.sum(wallets.c.balance))) == n * (n + 1) // 2
    assert scalar(kraty, select(func.sum(wallet_ledger.c.delta))) == n * (n + 1) // 2
    assert scalar(kraty, select(func.count()).select_from(webhook_outbox)) == 0
