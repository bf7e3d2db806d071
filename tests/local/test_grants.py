"""Grants: inbox items applied atomically on ack; crates become child grants; expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select

from kraty_local.clock import FakeClock
from kraty_local.store.schema import (
    audit_log,
    grants,
    inventory,
    inventory_ledger,
    players,
    wallet_ledger,
    wallets,
)
from kraty_local.timefmt import iso
from tests._http import http_lib

from .helpers import count, outbox_count

MIXED = [
    {"type": "currency", "currencyKey": "gold", "amount": 500},
    {"type": "currency", "currencyKey": "gems", "amount": 50},
    {
        "type": "item",
        "itemKey": "starter_chest",
        "quantity": 1,
        "parameters": {"rolled": {"atk": 4}},
    },
    {"type": "crate", "crateItemKey": "legendary_box", "quantity": 2},
]


def create(
    client: http_lib.Client,
    key: str,
    entries: list[dict[str, Any]] = MIXED,
    player: str = "player_42",
    **extra: Any,
) -> http_lib.Response:
    return client.post(
        f"/players/{player}/grants", json={"idempotencyKey": key, "entries": entries, **extra}
    )


def ack(
    client: http_lib.Client, grant_id: str, key: str, player: str = "player_42"
) -> http_lib.Response:
    return client.post(f"/players/{player}/grants/{grant_id}/ack", json={"idempotencyKey": key})


def holdings(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        money = {r.economy_key: r.balance for r in conn.execute(select(wallets))}
        items = {r.item_key: r.quantity for r in conn.execute(select(inventory))}
    return {**money, **items}


def test_create_stores_a_pending_grant_and_registers_the_player(
    client: http_lib.Client, engine: Engine, clock: FakeClock
) -> None:
    response = create(
        client,
        "iap_starter_pack",
        sourceRefId="apple_receipt_abc",
        metadata={"attribution": "campaign_42"},
    )

    assert response.status_code == 201
    grant = response.json()["data"]
    assert grant == {
        "id": grant["id"],
        "kind": "reward",
        "contents": {"entries": MIXED},
        "sourceKind": "api",
        "sourceRefId": "apple_receipt_abc",
        "parentGrantId": None,
        "status": "pending",
        "rolledAt": None,
        "claimedAt": None,
        "expiresAt": None,
        "createdAt": iso(clock.now()),
        "metadata": {"attribution": "campaign_42"},
        "ackedBy": None,
    }
    assert holdings(engine) == {}  # nothing applied before the claim
    assert count(engine, players) == 1
    assert outbox_count(engine, "player.registered") == 1
    assert outbox_count(engine, "grant.created") == 1


def test_ack_applies_everything_and_turns_crates_into_child_grants(
    client: http_lib.Client, engine: Engine
) -> None:
    grant_id = create(client, "g").json()["data"]["id"]
    response = ack(client, grant_id, "ack-1")

    assert response.status_code == 200
    claimed = response.json()["data"]
    assert claimed["status"] == "claimed"
    assert claimed["ackedBy"] == "server_api"
    assert claimed["claimedAt"] is not None
    assert holdings(engine) == {"gold": 500, "gems": 50, "starter_chest": 1}
    with engine.connect() as conn:
        rows = conn.execute(select(grants).where(grants.c.parent_grant_id == grant_id)).all()
        chest = conn.execute(select(inventory.c.parameters)).scalar_one()
        ledger_grant_ids = {r.grant_id for r in conn.execute(select(wallet_ledger))}
    assert chest == {"rolled": {"atk": 4}}
    assert ledger_grant_ids == {grant_id}
    assert len(rows) == 1
    child = rows[0]
    assert (child.kind, child.status, child.contents["crateItemKey"]) == (
        "crate",
        "pending",
        "legendary_box",
    )
    assert len(child.contents["entries"]) == 2  # one roll per crate
    assert child.rolled_at is not None
    assert outbox_count(engine, "grant.claimed") == 1
    assert outbox_count(engine, "grant.created") == 2
    assert outbox_count(engine, "wallet.changed") == 2
    assert outbox_count(engine, "inventory.changed") == 1


def test_acking_a_child_crate_applies_what_it_rolled(
    client: http_lib.Client, engine: Engine
) -> None:
    entries = [{"type": "crate", "crateItemKey": "legendary_box", "quantity": 3}]
    parent = create(client, "g", entries).json()["data"]["id"]
    ack(client, parent, "a1")
    with engine.connect() as conn:
        child = conn.execute(select(grants).where(grants.c.parent_grant_id == parent)).one()
    expected: dict[str, int] = {}
    for rolled in child.contents["entries"]:
        key = rolled.get("currencyKey") or rolled["itemKey"]
        expected[key] = expected.get(key, 0) + (rolled.get("amount") or rolled["quantity"])

    response = ack(client, child.id, "a2")

    assert response.status_code == 200
    assert response.json()["data"]["parentGrantId"] == parent
    assert response.json()["data"]["kind"] == "crate"
    assert holdings(engine) == expected


def test_acking_a_claimed_grant_is_a_no_op(client: http_lib.Client, engine: Engine) -> None:
    grant_id = create(client, "g", MIXED[:1]).json()["data"]["id"]
    first = ack(client, grant_id, "ack-1").json()["data"]
    second = ack(client, grant_id, "ack-2")  # a different key: a real second call

    assert second.status_code == 200
    assert second.json()["data"] == first
    assert holdings(engine) == {"gold": 500}
    assert count(engine, wallet_ledger) == 1


def test_expired_grant_reads_expired_and_cannot_be_acked(
    client: http_lib.Client, engine: Engine, clock: FakeClock
) -> None:
    expires = clock.now() + timedelta(hours=1)
    live = create(client, "g1", MIXED[:1], expiresAt=iso(expires)).json()["data"]
    past = create(client, "g2", MIXED[:1], expiresAt=iso(clock.now() - timedelta(seconds=1)))
    clock.advance(timedelta(hours=2))
    response = ack(client, live["id"], "ack")

    assert live["status"] == "pending"
    assert live["expiresAt"] == iso(expires)
    assert past.json()["data"]["status"] == "expired"
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert holdings(engine) == {}


def test_unknown_catalog_key_is_invalid_metric_and_creates_nothing(
    client: http_lib.Client, engine: Engine
) -> None:
    entries = [
        {"type": "currency", "currencyKey": "gold", "amount": 1},
        {"type": "currency", "currencyKey": "diamonds", "amount": 1},
        {"type": "item", "itemKey": "shield", "quantity": 1},
        {"type": "crate", "crateItemKey": "sword", "quantity": 1},  # an item, not a crate
    ]
    response = create(client, "g", entries)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_metric"
    assert [d["field"] for d in error["details"]] == [
        "entries.1.currencyKey",
        "entries.2.itemKey",
        "entries.3.crateItemKey",
    ]
    assert count(engine, players) == 0
    assert count(engine, grants) == 0


def test_a_failing_entry_rolls_back_every_entry(client: http_lib.Client, engine: Engine) -> None:
    near_max = 2**63 - 10
    client.post(
        "/players/player_42/wallet/gold/credit",
        json={"amount": near_max, "idempotencyKey": "whale"},
    )
    entries = [
        {"type": "item", "itemKey": "sword", "quantity": 1},
        {"type": "currency", "currencyKey": "gold", "amount": 100},
    ]
    grant_id = create(client, "g", entries).json()["data"]["id"]

    response = ack(client, grant_id, "ack")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert holdings(engine) == {"gold": near_max}
    assert count(engine, inventory_ledger) == 0
    with engine.connect() as conn:
        assert conn.execute(select(grants.c.status)).scalar_one() == "pending"


def test_unknown_grant_or_another_players_grant_is_not_found(client: http_lib.Client) -> None:
    grant_id = create(client, "g", MIXED[:1]).json()["data"]["id"]
    create(client, "g", MIXED[:1], player="someone_else")

    assert ack(client, "no-such-grant", "a1").json()["error"]["code"] == "not_found"
    other = ack(client, grant_id, "a2", player="someone_else")
    assert other.status_code == 404


def test_ack_is_audited_with_the_key_as_actor(
    client: http_lib.Client, engine: Engine, server: Any
) -> None:
    grant_id = create(client, "g", MIXED[:1]).json()["data"]["id"]
    ack(client, grant_id, "a")
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.action == "grant.ack")).all()
    prefix = server.api_key.split(".")[0]
    assert [(r.actor, r.details["ackedBy"]) for r in rows] == [(f"api_key:{prefix}", "server_api")]


def test_replayed_create_returns_the_same_grant(client: http_lib.Client, engine: Engine) -> None:
    first = create(client, "receipt")
    again = create(client, "receipt")

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert count(engine, grants) == 1
