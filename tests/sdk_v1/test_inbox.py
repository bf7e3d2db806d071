"""``/sdk/v1`` grants inbox, wallet and inventory: the server's services, seen from the game."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import Engine, select

from kraty_admin import KratyServerError
from kraty_local.api.models import Envelope
from kraty_local.clock import FakeClock
from kraty_local.store.schema import inventory_ledger, wallet_ledger, webhook_outbox
from kraty_local.wire import InventoryChange, WalletChange
from tests._http import http_lib

from .conftest import PlayerFactory

GOLD = {"type": "currency", "currencyKey": "gold", "amount": 500}
POTION = {"type": "item", "itemKey": "health_potion", "quantity": 3}
CRATES = {"type": "crate", "crateItemKey": "legendary_box", "quantity": 2}


def grant(client: http_lib.Client, key: str, *entries: dict[str, Any], **extra: Any) -> str:
    body = {"idempotencyKey": key, "entries": list(entries), **extra}
    answer = client.post("/players/p1/grants", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["data"]["id"])


def events(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(conn.execute(select(webhook_outbox.c.event_name)).scalars())


def test_claim_applies_a_server_grant_with_its_webhooks(
    client: http_lib.Client, player_of: PlayerFactory, engine: Engine, clock: FakeClock
) -> None:
    player = player_of("p1")
    grant_id = grant(client, "order-1", GOLD, POTION, CRATES)
    assert [g["id"] for g in player.pending_grants()] == [grant_id]
    before = events(engine)

    claimed = player.claim(grant_id)
    assert claimed["status"] == "claimed"
    assert claimed["ackedBy"] == "client_sdk"
    assert player.balance("gold") == 500
    assert player.quantity("health_potion") == 3
    assert player.claim(grant_id) == claimed  # again: the same grant, 200
    new = events(engine) - before
    assert new == {
        "grant.claimed": 1,
        "wallet.changed": 1,
        "inventory.changed": 1,
        "grant.created": 1,  # one crate grant holding both rolls
    }

    clock.advance(timedelta(seconds=1))  # oldest first: the crate, then this
    grant(client, "order-2", GOLD)
    crates = player.pending_grants()
    assert [c["kind"] for c in crates] == ["crate", "reward"]
    assert len(crates[0]["contents"]["entries"]) == 2
    assert player.pending_grants(limit=1) == crates[:1]
    with pytest.raises(KratyServerError) as refused:
        player.claim(crates[0]["id"])
    assert refused.value.is_conflict


def test_open_crate_rolls_into_a_pending_reward(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    player = player_of("p1")
    player.claim(grant(client, "order-1", CRATES))
    crate = player.pending_grants()[0]
    opened = player.open_crate(crate["id"], idempotency_key="open-1")
    assert opened["crate"]["id"] == crate["id"]
    assert opened["crate"]["status"] == "claimed"
    assert opened["crate"]["ackedBy"] == "client_sdk"
    contents = opened["contents"]
    assert contents["kind"] == "reward"
    assert contents["status"] == "pending"
    assert contents["sourceKind"] == "crate"
    assert contents["parentGrantId"] == crate["id"]
    assert contents["contents"]["parentGrantId"] == crate["id"]
    assert contents["contents"]["entries"] == crate["contents"]["entries"]
    assert player.open_crate(crate["id"]) == {**opened, "crate": opened["crate"]}  # same pair

    gold_before = player.balance("gold")
    player.claim(contents["id"])
    rolled_gold = sum(
        e["amount"] for e in contents["contents"]["entries"] if e.get("currencyKey") == "gold"
    )
    assert player.balance("gold") == gold_before + rolled_gold
    with pytest.raises(KratyServerError) as not_a_crate:
        player.open_crate(contents["id"])
    assert not_a_crate.value.is_conflict


def test_a_crate_grant_rolls_its_crate_entries_when_opened(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    player = player_of("p1")
    crate_id = grant(client, "crate-1", {**CRATES, "quantity": 3}, kind="crate")
    contents = player.open_crate(crate_id)["contents"]
    assert len(contents["contents"]["entries"]) == 3
    assert all(e["type"] in ("currency", "item") for e in contents["contents"]["entries"])


def test_unknown_other_players_and_expired_grants(
    client: http_lib.Client, player_of: PlayerFactory, clock: FakeClock
) -> None:
    player, other = player_of("p1"), player_of("p2")
    soon = (clock.now() + timedelta(minutes=5)).isoformat()
    expiring = grant(client, "g-exp", GOLD, expiresAt=soon)
    with pytest.raises(KratyServerError) as foreign:
        other.claim(expiring)
    assert foreign.value.is_not_found
    with pytest.raises(KratyServerError) as unknown:
        player.claim("00000000-0000-4000-8000-000000000000")
    assert unknown.value.is_not_found
    clock.advance(timedelta(minutes=10))
    assert player.pending_grants() == []
    with pytest.raises(KratyServerError) as expired:
        player.claim(expiring)
    assert expired.value.is_conflict


def test_debit_and_consume_share_the_server_ledgers_and_idempotency(
    client: http_lib.Client, player_of: PlayerFactory, engine: Engine, raw: http_lib.Client
) -> None:
    player = player_of("p1")
    player.claim(grant(client, "g1", GOLD, POTION))
    assert player.debit("gold", 120, reason="shop", idempotency_key="buy-1") == {
        "economyKey": "gold",
        "balance": 380,
        "applied": True,
    }
    replay = player.debit("gold", 120, reason="shop", idempotency_key="buy-1")
    assert replay == {"economyKey": "gold", "balance": 380, "applied": False}
    with pytest.raises(KratyServerError) as changed:
        player.debit("gold", 121, reason="shop", idempotency_key="buy-1")
    assert changed.value.is_idempotency_conflict
    with pytest.raises(KratyServerError) as short:
        player.debit("gold", 381)
    assert short.value.is_conflict
    assert short.value.details["available"] == 380
    assert player.consume("health_potion", 2) == {
        "itemKey": "health_potion",
        "quantity": 1,
        "applied": True,
    }
    with pytest.raises(KratyServerError) as unknown:
        player.consume("no_such_item", 1)
    assert unknown.value.is_not_found

    with engine.connect() as conn:
        gold = conn.execute(select(wallet_ledger).order_by(wallet_ledger.c.id)).all()
        items = conn.execute(select(inventory_ledger).order_by(inventory_ledger.c.id)).all()
    assert [(r.delta, r.source_kind, r.reason) for r in gold] == [
        (500, "grant", "grant:reward"),
        (-120, "client", "shop"),
    ]
    assert [(r.delta, r.source_kind) for r in items] == [(3, "grant"), (-2, "client")]
    snapshot = client.get("/players/p1").json()["data"]
    assert [(w["economyKey"], w["balance"]) for w in snapshot["wallet"]] == [("gold", 380)]
    assert [w["economyKey"] for w in player.wallet()] == ["gold"]
    assert player.inventory()[0]["itemKey"] == "health_potion"


def test_debit_and_consume_answers_are_what_their_response_model_makes(
    client: http_lib.Client, raw: http_lib.Client, server: Any
) -> None:
    # Serialized by the routes themselves: byte for byte the documented model's output, for a
    # first answer and for its replay.
    key = {"Authorization": f"Bearer {server.client_key}"}
    registered = raw.post("/sdk/v1/players/p1/register", json={"idempotencyKey": "r"}, headers=key)
    player = {**key, "X-Player-Secret": registered.json()["data"]["secret"]}
    client.post("/players/p1/wallet/gold/credit", json={"amount": 9, "idempotencyKey": "c"})
    client.post(
        "/players/p1/inventory/health_potion/grant", json={"quantity": 3, "idempotencyKey": "g"}
    )
    takes = [
        ("wallet/gold/debit", {"amount": 4}, WalletChange),
        ("inventory/health_potion/consume", {"quantity": 2}, InventoryChange),
    ]
    for path, body, model in takes:
        adapter = TypeAdapter(Envelope[model])  # type: ignore[valid-type]
        for _ in range(2):
            answer = raw.post(
                f"/sdk/v1/players/p1/{path}", json={**body, "idempotencyKey": "k"}, headers=player
            )
            assert answer.status_code == 200, answer.text
            assert answer.content == adapter.dump_json(adapter.validate_python(answer.json()))


@pytest.mark.parametrize(
    "body",
    [
        {"amount": 0},
        {"amount": -1},
        {"amount": "1"},
        {"amount": 1, "sourceRefId": "x"},
        {"amount": 1, "idempotencyKey": ""},
        {},
    ],
)
def test_bad_debit_bodies_are_400(
    player_of: PlayerFactory, raw: http_lib.Client, server: Any, body: dict[str, Any]
) -> None:
    player = player_of("p1")
    headers = {"Authorization": f"Bearer {server.client_key}", "X-Player-Secret": player._secret}
    answer = raw.post(
        "/sdk/v1/players/p1/wallet/gold/debit",
        headers=headers,
        json={"idempotencyKey": "k", **body} if "idempotencyKey" not in body else body,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "validation_failed"
