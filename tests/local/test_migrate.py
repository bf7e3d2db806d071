"""Migration: per-row idempotency, rows that fail alone, batch limits, ledger rows, no webhooks."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from kraty_local.server import LocalServer
from kraty_local.store.schema import (
    inventory,
    inventory_ledger,
    migration_keys,
    players,
    wallet_ledger,
    wallets,
    webhook_outbox,
)
from tests._http import http_lib

from .helpers import STUDIO_WIDE_KEY, count

AT_ISO = "2030-01-01T00:00:00.000Z"  # the fixture clock's time
AWKWARD_IDS = ["a/b", "ü ñ 漢字", "x" * 512, "%2F..%00", " spaced "]


def migrate(
    client: http_lib.Client, table: str, rows: list[Any], **extra: Any
) -> http_lib.Response:
    return client.post(f"/migrate/{table}", json={"rows": rows, "idempotencyKey": "b", **extra})


def outcome(client: http_lib.Client, table: str, rows: list[Any]) -> dict[str, Any]:
    response = migrate(client, table, rows)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    assert data["applied"] + data["skipped"] + data["failed"] == len(rows)
    return data


def player_rows(ids: list[str]) -> list[dict[str, Any]]:
    return [{"externalPlayerId": p, "idempotencyKey": f"p:{p}"} for p in ids]


def gold(player: str, amount: int, key: str, **extra: Any) -> dict[str, Any]:
    return {
        "externalPlayerId": player,
        "economyKey": "gold",
        "amount": amount,
        "idempotencyKey": key,
        **extra,
    }


def balances(engine: Engine) -> dict[tuple[str, str], int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(players.c.external_player_id, wallets.c.economy_key, wallets.c.balance).join(
                players, players.c.id == wallets.c.player_id
            )
        )
        return {(p, k): b for p, k, b in rows}


def assert_ledger_invariant(engine: Engine) -> None:
    """Every holding equals the sum of its ledger rows, whose running totals are consistent."""
    pairs = [
        (wallets, wallet_ledger, "wallet_id", "balance", "balance_after"),
        (inventory, inventory_ledger, "inventory_id", "quantity", "quantity_after"),
    ]
    with engine.connect() as conn:
        for table, ledger, fk, amount, after in pairs:
            for holding in conn.execute(select(table)):
                entries = conn.execute(
                    select(ledger.c.delta, ledger.c[after])
                    .where(ledger.c[fk] == holding.id)
                    .order_by(ledger.c.id)
                ).all()
                running = 0
                for delta, value in entries:
                    running += delta
                    assert value == running
                assert running == holding._mapping[amount]


def test_players_are_created_with_their_snapshot(client: http_lib.Client, engine: Engine) -> None:
    rows = [*player_rows(["p1", "p2"])]
    rows[1]["contextSnapshot"] = {"country": "PT"}

    assert outcome(client, "players", rows) == {
        "applied": 2,
        "skipped": 0,
        "failed": 0,
        "failures": [],
    }
    with engine.connect() as conn:
        snapshots = dict(
            conn.execute(
                select(players.c.external_player_id, players.c.last_context_snapshot)
            ).all()
        )
    assert snapshots == {"p1": None, "p2": {"country": "PT"}}
    assert count(engine, webhook_outbox) == 0
    exported = client.get("/players/p1/export").json()["data"]["player"]
    assert (exported["firstSeenAt"], exported["lastSeenAt"]) == (AT_ISO, AT_ISO)


def test_replayed_rows_are_skipped(client: http_lib.Client, engine: Engine) -> None:
    rows = player_rows(["p1", "p2", "p3"])
    outcome(client, "players", rows[:2])

    result = outcome(client, "players", rows)

    assert (result["applied"], result["skipped"]) == (1, 2)
    assert count(engine, players) == 3
    assert count(engine, migration_keys) == 3


def test_a_new_key_updates_an_existing_players_snapshot(
    client: http_lib.Client, engine: Engine
) -> None:
    client.post("/players/p1/wallet/gold/credit", json={"amount": 1, "idempotencyKey": "k"})
    row = {"externalPlayerId": "p1", "idempotencyKey": "snap-2", "contextSnapshot": {"v": 2}}

    assert outcome(client, "players", [row])["applied"] == 1
    with engine.connect() as conn:
        snapshot = conn.execute(select(players.c.last_context_snapshot)).scalar_one()
    assert snapshot == {"v": 2}
    assert count(engine, players) == 1


def test_duplicate_keys_in_one_batch_count_once(client: http_lib.Client, engine: Engine) -> None:
    rows = [gold("p1", 10, "same"), gold("p1", 99, "same"), gold("p1", 5, "other")]
    outcome(client, "players", player_rows(["p1"]))

    result = outcome(client, "wallet", rows)

    assert (result["applied"], result["skipped"], result["failed"]) == (2, 1, 0)
    assert balances(engine) == {("p1", "gold"): 15}


def test_bad_rows_fail_alone(client: http_lib.Client, engine: Engine) -> None:
    outcome(client, "players", player_rows(["p1"]))
    rows: list[Any] = [
        gold("p1", 10, "ok-1"),
        gold("p1", 0, "zero"),
        {"externalPlayerId": "p1", "economyKey": "diamonds", "amount": 1, "idempotencyKey": "d"},
        gold("ghost", 10, "ghost"),  # an unknown player is created, not a failure
        gold("p1", 10, "extra", unknown=True),
        "not an object",
        {"economyKey": "gold", "amount": 1, "idempotencyKey": "no-player"},
        gold("p1", "10", "string-amount"),  # type: ignore[arg-type]
        gold("p1", 20, "ok-2", reason="import"),
    ]

    result = outcome(client, "wallet", rows)

    assert (result["applied"], result["skipped"], result["failed"]) == (3, 0, 6)
    failures = {f["rowIndex"]: f for f in result["failures"]}
    assert [f["rowIndex"] for f in result["failures"]] == [1, 2, 4, 5, 6, 7]
    assert {i: f["error"]["code"] for i, f in failures.items()} == {
        1: "validation_failed",
        2: "not_found",
        4: "validation_failed",
        5: "validation_failed",
        6: "validation_failed",
        7: "validation_failed",
    }
    assert failures[1]["externalPlayerId"] == "p1"
    assert "amount" in failures[1]["error"]["message"]
    assert failures[2]["externalPlayerId"] == "p1"
    assert "externalPlayerId" not in failures[5]
    assert "externalPlayerId" not in failures[6]
    assert balances(engine) == {("p1", "gold"): 30, ("ghost", "gold"): 10}
    assert count(engine, migration_keys, migration_keys.c.endpoint == "wallet") == 3


def test_a_failed_row_can_be_retried_with_its_key(client: http_lib.Client, engine: Engine) -> None:
    failed = outcome(client, "wallet", [gold("late", 0, "late:gold")])
    assert failed["failures"][0]["error"]["code"] == "validation_failed"

    assert outcome(client, "wallet", [gold("late", 10, "late:gold")])["applied"] == 1
    assert balances(engine) == {("late", "gold"): 10}


def test_holding_rows_create_missing_players_silently(
    client: http_lib.Client, engine: Engine
) -> None:
    wallet = outcome(client, "wallet", [gold("new-1", 10, "w1"), gold("new-1", 5, "w2")])
    item = {"externalPlayerId": "new-2", "itemKey": "sword", "quantity": 2, "idempotencyKey": "i"}
    items = outcome(client, "inventory", [item])

    assert (wallet["applied"], items["applied"]) == (2, 1)
    assert balances(engine) == {("new-1", "gold"): 15}
    assert count(engine, players) == 2
    assert count(engine, webhook_outbox) == 0  # migration is silent: not even player.registered
    exported = client.get("/players/new-2/export").json()["data"]
    assert (exported["player"]["firstSeenAt"], exported["player"]["lastSeenAt"]) == (AT_ISO, AT_ISO)
    assert [(i["itemKey"], i["quantity"]) for i in exported["inventory"]] == [("sword", 2)]
    assert_ledger_invariant(engine)


def test_a_placeholder_id_is_not_a_player_to_import_into(
    client: http_lib.Client, engine: Engine
) -> None:
    client.post("/players/gone/wallet/gold/credit", json={"amount": 1, "idempotencyKey": "c"})
    erased = client.post("/players/gone/delete", json={"idempotencyKey": "d"}).json()["data"]

    result = outcome(client, "wallet", [gold(erased["anonymizedExternalId"], 1, "x")])

    assert result["failures"][0]["error"]["code"] == "not_found"
    assert count(engine, players) == 1
    assert count(engine, migration_keys) == 0


def test_wallet_rows_write_ledger_rows_and_no_webhooks(
    client: http_lib.Client, engine: Engine
) -> None:
    client.post("/players/p1/wallet/gold/credit", json={"amount": 7, "idempotencyKey": "k"})
    before = count(engine, webhook_outbox)
    outcome(client, "players", player_rows(["p1", "p2"]))
    rows = [gold("p1", 100, "a"), gold("p2", 3, "b"), gold("p1", 1, "c", reason="legacy")]
    rows.append({**gold("p2", 4, "d"), "economyKey": "gems"})

    assert outcome(client, "wallet", rows)["applied"] == 4

    assert balances(engine) == {("p1", "gold"): 108, ("p2", "gold"): 3, ("p2", "gems"): 4}
    with engine.connect() as conn:
        ledger = conn.execute(
            select(
                wallet_ledger.c.delta,
                wallet_ledger.c.balance_after,
                wallet_ledger.c.reason,
                wallet_ledger.c.source_kind,
                wallet_ledger.c.source_ref_id,
            )
            .where(wallet_ledger.c.source_kind == "migration")
            .order_by(wallet_ledger.c.id)
        ).all()
    assert [tuple(r) for r in ledger] == [
        (100, 107, None, "migration", "a"),
        (3, 3, None, "migration", "b"),
        (1, 108, "legacy", "migration", "c"),
        (4, 4, None, "migration", "d"),
    ]
    assert count(engine, webhook_outbox) == before
    assert_ledger_invariant(engine)


def test_inventory_rows_record_parameters(client: http_lib.Client, engine: Engine) -> None:
    outcome(client, "players", player_rows(["p1"]))
    rows = [
        {"externalPlayerId": "p1", "itemKey": "sword", "quantity": 1, "idempotencyKey": "s1"},
        {
            "externalPlayerId": "p1",
            "itemKey": "sword",
            "quantity": 2,
            "parameters": {"rolled": {"atk": 4}},
            "idempotencyKey": "s2",
        },
        {"externalPlayerId": "p1", "itemKey": "shield", "quantity": 1, "idempotencyKey": "x"},
        {"externalPlayerId": "p1", "itemKey": "sword", "quantity": -1, "idempotencyKey": "y"},
    ]

    result = outcome(client, "inventory", rows)

    assert (result["applied"], result["failed"]) == (2, 2)
    assert [f["error"]["code"] for f in result["failures"]] == ["not_found", "validation_failed"]
    with engine.connect() as conn:
        held = conn.execute(select(inventory.c.quantity, inventory.c.parameters)).one()
        ledger_parameters = (
            conn.execute(select(inventory_ledger.c.parameters).order_by(inventory_ledger.c.id))
            .scalars()
            .all()
        )
    assert tuple(held) == (3, {"rolled": {"atk": 4}})
    assert ledger_parameters == [None, {"rolled": {"atk": 4}}]
    assert count(engine, webhook_outbox) == 0
    assert_ledger_invariant(engine)


def test_overflowing_row_fails_alone_and_keeps_its_key_free(
    client: http_lib.Client, engine: Engine
) -> None:
    outcome(client, "players", player_rows(["rich"]))
    top = 2**63 - 1
    result = outcome(client, "wallet", [gold("rich", top, "big"), gold("rich", 1, "more")])

    assert (result["applied"], result["failed"]) == (1, 1)
    assert result["failures"][0]["error"]["code"] == "conflict"
    assert balances(engine) == {("rich", "gold"): top}
    assert count(engine, migration_keys, migration_keys.c.key == "more") == 0
    assert_ledger_invariant(engine)


def test_awkward_ids_round_trip(client: http_lib.Client, engine: Engine) -> None:
    rows = [{"externalPlayerId": p, "idempotencyKey": f"{i}/ü"} for i, p in enumerate(AWKWARD_IDS)]
    assert outcome(client, "players", rows)["applied"] == len(AWKWARD_IDS)
    wallet_rows = [gold(p, 1, f"gold:{p}"[:255]) for p in AWKWARD_IDS]

    assert outcome(client, "wallet", wallet_rows)["applied"] == len(AWKWARD_IDS)
    assert outcome(client, "wallet", wallet_rows)["skipped"] == len(AWKWARD_IDS)
    assert balances(engine) == {(p, "gold"): 1 for p in AWKWARD_IDS}
    snapshot = client.post(
        f"/players/{AWKWARD_IDS[0].replace('/', '%2F')}/wallet/gold/debit",
        json={"amount": 1, "idempotencyKey": "d"},
    )
    assert snapshot.json()["data"]["balance"] == 0


@pytest.mark.parametrize("size", [0, 1001])
def test_batch_size_outside_1_to_1000_is_refused(
    client: http_lib.Client, engine: Engine, size: int
) -> None:
    response = migrate(client, "players", player_rows([f"p{i}" for i in range(size)]))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"
    assert count(engine, players) == 0
    assert count(engine, migration_keys) == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"rows": {"a": 1}},
        {"rows": "x"},
        {"rows": [], "idempotencyKey": "b"},
        {"rows": [1], "x": 1},
    ],
)
def test_malformed_batches_are_refused(client: http_lib.Client, body: dict[str, Any]) -> None:
    response = client.post("/migrate/wallet", json=body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"


def test_a_full_batch_of_1000_rows_applies(client: http_lib.Client, engine: Engine) -> None:
    ids = [f"p{i}" for i in range(1000)]
    assert outcome(client, "players", player_rows(ids))["applied"] == 1000
    wallet_rows = [gold(p, i + 1, f"g:{p}") for i, p in enumerate(ids)]

    assert outcome(client, "wallet", wallet_rows)["applied"] == 1000
    with engine.connect() as conn:
        total = conn.execute(select(func.sum(wallets.c.balance))).scalar_one()
    assert total == sum(range(1, 1001))
    assert count(engine, wallet_ledger) == 1000
    assert_ledger_invariant(engine)


def test_keys_are_scoped_per_endpoint(client: http_lib.Client) -> None:
    outcome(client, "players", [{"externalPlayerId": "p1", "idempotencyKey": "same"}])

    assert outcome(client, "wallet", [gold("p1", 1, "same")])["applied"] == 1
    item = {"externalPlayerId": "p1", "itemKey": "sword", "quantity": 1, "idempotencyKey": "same"}
    assert outcome(client, "inventory", [item])["applied"] == 1


def test_migration_needs_a_key_bound_to_a_game(server: LocalServer) -> None:
    response = http_lib.post(
        server.base_url + "/server/v1/migrate/players",
        json={"rows": player_rows(["p1"]), "idempotencyKey": "b"},
        headers={"Authorization": f"Bearer {STUDIO_WIDE_KEY}"},
    )

    assert response.status_code == 403
