"""The rest of the catalog: each event fires when its change applies, and only then.

Re-bans, repeated unbans, erasing an erased player, merging a merged one, re-pushing a lobby,
finishing a finished attempt and bulk migration all apply nothing new, so they send nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kraty_admin import KratyAdmin, verify_webhook
from kraty_local.server import LocalServer
from kraty_local.store.schema import webhook_outbox

from .conftest import SECRET
from .receiver import Receiver


def delivered(server: LocalServer, receiver: Receiver) -> list[dict[str, Any]]:
    """Deliver what is due; every event received so far, each checked against its signature."""
    server.dispatcher.drain()
    for request in receiver.received:
        assert verify_webhook(
            raw_body=request.body,
            signature_header=request.headers["X-Signature"],
            secret=SECRET,
            now=server.clock.now(),
        )
    return receiver.events()


def names_since(events: list[dict[str, Any]], start: int) -> list[str]:
    """Event names received after the first ``start``."""
    return [event["eventName"] for event in events[start:]]


def test_ban_and_unban_fire_once_each(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    kraty.wallet.credit("p1", "gold", amount=1, idempotency_key="r1")
    before = len(delivered(server, receiver))
    kraty.players.ban("p1", reason="score anomaly")
    kraty.players.ban("p1", reason="refreshed reason")  # re-ban: applied false, no webhook
    kraty.players.unban("p1")
    kraty.players.unban("p1")  # not banned: applied false, no webhook
    events = delivered(server, receiver)
    assert names_since(events, before) == ["player.banned", "player.unbanned"]
    banned, unbanned = events[before:]
    assert banned["data"]["externalPlayerId"] == "p1"
    assert banned["data"]["reason"] == "score anomaly"
    assert unbanned["data"]["playerId"] == banned["data"]["playerId"]


def test_delete_fires_once_with_the_original_external_id(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    kraty.wallet.credit("player_42", "gold", amount=1, idempotency_key="r1")
    before = len(delivered(server, receiver))
    assert kraty.players.delete("player_42")["status"] == "erased"
    assert kraty.players.delete("player_42")["status"] == "no_op_already_erased"
    assert kraty.players.delete("nobody")["status"] == "no_op_never_existed"
    events = delivered(server, receiver)
    assert names_since(events, before) == ["player.deleted"]
    data = events[-1]["data"]
    assert data["externalPlayerId"] == "player_42"
    assert data["anonymizedExternalId"].startswith("__deleted_")


def test_merge_fires_once(server: LocalServer, kraty: KratyAdmin, receiver: Receiver) -> None:
    kraty.wallet.credit("old", "gold", amount=3, idempotency_key="r1")
    kraty.wallet.credit("new", "gold", amount=4, idempotency_key="r2")
    before = len(delivered(server, receiver))
    assert kraty.players.merge("old", "new")["status"] == "merged"
    assert kraty.players.merge("old", "new")["status"] == "no_op_already_merged"
    events = delivered(server, receiver)
    # The balance moves with a ledger row on each side, so each side's wallet.changed fires.
    assert sorted(names_since(events, before)) == [
        "player.merged",
        "wallet.changed",
        "wallet.changed",
    ]
    moves = {
        e["data"]["externalPlayerId"]: e["data"] for e in events[before:] if "delta" in e["data"]
    }
    assert (moves["new"]["balance"], moves["new"]["delta"]) == (7, 3)
    assert (moves["old"]["balance"], moves["old"]["delta"]) == (0, -3)
    # Ordered with the merged-away player's events: its wallet change arrives first.
    old_stream = [
        e["eventName"]
        for e in events[before:]
        if e["data"].get("playerId", e["data"].get("fromPlayerId")) == moves["old"]["playerId"]
    ]
    assert old_stream == ["wallet.changed", "player.merged"]
    (merged,) = [e for e in events[before:] if e["eventName"] == "player.merged"]
    data = merged["data"]
    assert (data["fromExternalPlayerId"], data["toExternalPlayerId"]) == ("old", "new")


def test_lobby_created_fires_once_per_lobby(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    lobby = kraty.lobbies.push("game_1", "quick_brawl", "lobby-1", ["a", "b"])
    kraty.lobbies.push("game_1", "quick_brawl", "lobby-1", ["a", "b"])  # same key: replayed
    events = delivered(server, receiver)
    assert sorted(names_since(events, 0)) == [
        "lobby.created",
        "player.registered",
        "player.registered",
    ]
    (created,) = [e for e in events if e["eventName"] == "lobby.created"]
    assert created["data"]["lobby"]["id"] == lobby["id"]


def test_event_completed_fires_once(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    kraty.events.report_progress("p1", "weekly_race", "run-1", "set", metric_value=10)
    before = len(delivered(server, receiver))
    assert kraty.events.finish("p1", "weekly_race", "run-1")["outcome"] == "completed"
    kraty.events.finish("p1", "weekly_race", "run-1")  # already finished: unchanged
    events = delivered(server, receiver)
    assert names_since(events, before) == ["event.completed"]
    assert events[-1]["data"]["eventKey"] == "weekly_race"
    assert events[-1]["data"]["externalPlayerId"] == "p1"


def test_migration_sends_nothing(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    kraty.migrate.players([{"externalPlayerId": "m1", "idempotencyKey": "m1"}])
    kraty.migrate.wallet(
        [{"externalPlayerId": "m1", "economyKey": "gold", "amount": 5, "idempotencyKey": "w"}]
    )
    kraty.migrate.inventory(
        [{"externalPlayerId": "m1", "itemKey": "sword", "quantity": 1, "idempotencyKey": "i"}]
    )
    assert delivered(server, receiver) == []
    with server.engine.connect() as conn:
        assert conn.execute(select(webhook_outbox)).all() == []
