"""Soft bans: idempotent ban/unban, one webhook per real change, audit rows, writes still work."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select

from kraty_local.clock import FakeClock
from kraty_local.store.schema import audit_log
from tests._http import http_lib

from .helpers import outbox_count
from .player_seed import player_id


def post(client: http_lib.Client, route: str, key: str, **body: str) -> http_lib.Response:
    return client.post(f"/players/p/{route}", json={"idempotencyKey": key, **body})


def test_ban_and_unban_are_idempotent_with_one_event_per_change(
    client: http_lib.Client, engine: Engine, clock: FakeClock
) -> None:
    client.post("/players/p/wallet/gold/credit", json={"amount": 10, "idempotencyKey": "c"})
    me = player_id(engine, "p")

    first = post(client, "ban", "b1", reason="score anomaly: gained 5000 in 2s")
    replay = post(client, "ban", "b1", reason="score anomaly: gained 5000 in 2s")
    reban = post(client, "ban", "b2", reason="confirmed")

    assert first.json()["data"] == {
        "playerId": me,
        "externalPlayerId": "p",
        "bannedAt": "2030-01-01T00:00:00.000Z",
        "reason": "score anomaly: gained 5000 in 2s",
        "applied": True,
    }
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["data"] == {**first.json()["data"], "applied": False}
    assert reban.json()["data"] == {**first.json()["data"], "reason": "confirmed", "applied": False}
    assert outbox_count(engine, "player.banned") == 1
    exported = client.get("/players/p/export").json()["data"]["player"]
    assert exported["banReason"] == "confirmed"

    # server writes still work for a banned player
    debit = client.post("/players/p/wallet/gold/debit", json={"amount": 4, "idempotencyKey": "d"})
    assert debit.json()["data"]["balance"] == 6

    lifted = post(client, "unban", "u1")
    clock.advance(timedelta(minutes=5))
    again = post(client, "unban", "u2")
    assert lifted.json()["data"] == {
        "playerId": me,
        "externalPlayerId": "p",
        "unbannedAt": "2030-01-01T00:00:00.000Z",
        "applied": True,
    }
    # not banned: nothing to lift, and unbannedAt is the time of the call (always a string)
    assert again.json()["data"] == {
        **lifted.json()["data"],
        "unbannedAt": "2030-01-01T00:05:00.000Z",
        "applied": False,
    }
    assert outbox_count(engine, "player.unbanned") == 1
    assert client.get("/players/p/export").json()["data"]["player"]["bannedAt"] is None

    with engine.connect() as conn:
        trail = conn.execute(
            select(audit_log.c.action, audit_log.c.actor, audit_log.c.details)
            .where(audit_log.c.action.in_(["player.ban", "player.unban"]))
            .order_by(audit_log.c.id)
        ).all()
    assert [(a, d["applied"]) for a, _, d in trail] == [
        ("player.ban", True),
        ("player.ban", False),
        ("player.unban", True),
        ("player.unban", False),
    ]
    assert {actor for _, actor, _ in trail} == {f"api_key:{server_prefix(client)}"}


def server_prefix(client: http_lib.Client) -> str:
    return str(client.get("/ping").json()["apiKey"]["prefix"])


def test_ban_needs_a_reason_and_an_existing_player(client: http_lib.Client, engine: Engine) -> None:
    assert post(client, "ban", "b", reason="bot").status_code == 404
    assert post(client, "unban", "u").status_code == 404
    client.post("/players/p/wallet/gold/credit", json={"amount": 1, "idempotencyKey": "c"})
    for body in ({"idempotencyKey": "b"}, {"idempotencyKey": "b", "reason": None}):
        missing = client.post("/players/p/ban", json=body)
        assert missing.status_code == 400, body
        error = missing.json()["error"]
        assert error["code"] == "validation_failed"
        assert [d["field"] for d in error["details"]] == ["reason"]
    # neither a 404 nor a 400 is stored: the same key applies once the request is good
    banned = post(client, "ban", "b", reason="bot").json()["data"]
    assert (banned["reason"], banned["applied"]) == ("bot", True)
    assert outbox_count(engine, "player.banned") == 1


def test_ban_body_is_strict(client: http_lib.Client) -> None:
    client.post("/players/p/wallet/gold/credit", json={"amount": 1, "idempotencyKey": "c"})
    for body in ({"reason": 5, "idempotencyKey": "k"}, {"idempotencyKey": "k", "until": "x"}, {}):
        response = client.post("/players/p/ban", json=body)
        assert response.status_code == 400, body
    assert client.post("/players/p/unban", json={"idempotencyKey": "k", "x": 1}).status_code == 400
