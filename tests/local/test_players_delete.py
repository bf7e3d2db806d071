"""GDPR erasure: the cascade, the three statuses, the webhook and re-registration."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import Engine, select

from kraty_local.clock import FakeClock
from kraty_local.store.schema import (
    attempts,
    audit_log,
    blocks,
    friends,
    grants,
    leaderboard_entries,
    lobby_members,
    player_tombstones,
    players,
    wallet_ledger,
    wallets,
    webhook_outbox,
)
from tests._http import http_lib

from .helpers import count, outbox_count, seg
from .player_seed import AT, attempt_row, column_values, insert, lobby, player_id, score_row


def delete(client: http_lib.Client, player: str, key: str, **body: str) -> http_lib.Response:
    return client.post(f"/players/{seg(player)}/delete", json={"idempotencyKey": key, **body})


def seed_history(client: http_lib.Client, engine: Engine, player: str) -> str:
    client.post(
        f"/players/{seg(player)}/wallet/gold/credit", json={"amount": 50, "idempotencyKey": "c"}
    )
    client.post(
        f"/players/{seg(player)}/grants",
        json={
            "idempotencyKey": "g",
            "entries": [{"type": "currency", "currencyKey": "gems", "amount": 1}],
        },
    )
    client.put(
        f"/players/{seg(player)}/identity", json={"name": "Real Name", "idempotencyKey": "i"}
    )
    return player_id(engine, player)


def test_erasure_anonymizes_in_place_and_cascades(client: http_lib.Client, engine: Engine) -> None:
    me = seed_history(client, engine, "player_42")
    client.post("/players/friend/wallet/gold/credit", json={"amount": 1, "idempotencyKey": "c"})
    friend = player_id(engine, "friend")
    insert(
        engine,
        attempts,
        attempt_row(me, "run-1"),
        attempt_row(me, "run-2"),
        attempt_row(friend, "run-1"),
    )
    lobby(engine, me, friend)
    lobby(engine, me)
    insert(engine, leaderboard_entries, score_row(me, "weekly", 10), score_row(friend, "weekly", 5))
    insert(engine, friends, {"player_id": me, "friend_player_id": friend, "created_at": AT})
    insert(engine, blocks, {"player_id": friend, "blocked_player_id": me, "created_at": AT})
    with engine.begin() as conn:
        conn.execute(
            players.update()
            .where(players.c.id == me)
            .values(country="PT", last_active_at=AT, presence_status="in_match")
        )

    response = delete(client, "player_42", "gdpr-1")

    assert response.status_code == 200
    out = response.json()["data"]
    placeholder = out["anonymizedExternalId"]
    assert placeholder.startswith("__deleted_")
    assert placeholder.endswith("__")
    assert out == {
        "playerId": me,
        "externalPlayerId": "player_42",
        "anonymizedExternalId": placeholder,
        "deletedAt": "2030-01-01T00:00:00.000Z",
        "attemptsAnonymized": 2,
        "lobbiesAnonymized": 2,
        "leaderboardsScrubbed": 1,
        "status": "erased",
    }
    with engine.connect() as conn:
        row = conn.execute(select(players).where(players.c.id == me)).one()
    assert row.external_player_id == placeholder
    assert row.deleted_at is not None
    assert (row.synthetic_name, row.last_context_snapshot) == (None, None)
    assert (row.country, row.last_active_at, row.presence_status) == (None, None, None)
    # financial history kept, pointing at the anonymized row
    assert count(engine, wallets, wallets.c.player_id == me) == 1
    assert count(engine, wallet_ledger, wallet_ledger.c.player_id == me) == 1
    assert count(engine, grants, grants.c.player_id == me) == 1
    # cascade
    assert column_values(engine, attempts.c.metrics, attempts.c.player_id == me) == [None, None]
    assert column_values(engine, attempts.c.metrics, attempts.c.player_id == friend) == [
        {"device": "personal-phone"}
    ]
    assert count(engine, lobby_members, lobby_members.c.player_id == me) == 2
    assert column_values(engine, leaderboard_entries.c.player_id) == [friend]
    assert count(engine, friends) == 0
    assert count(engine, blocks) == 0
    # the original id survives only in the webhook event, not in the audit trail or tombstone
    audit_details = column_values(engine, audit_log.c.details, audit_log.c.player_id == me)
    assert "player_42" not in repr(audit_details)
    assert {"externalPlayerId": placeholder} in audit_details
    digest = hashlib.sha256(b"player_42").hexdigest()
    assert column_values(engine, player_tombstones.c.external_id_sha256) == [digest]
    assert outbox_count(engine, "player.deleted") == 1
    with engine.connect() as conn:
        event = conn.execute(
            select(webhook_outbox.c.payload).where(webhook_outbox.c.event_name == "player.deleted")
        ).scalar_one()
    assert event["data"]["externalPlayerId"] == "player_42"
    assert event["data"]["anonymizedExternalId"] == placeholder
    assert event["data"]["reason"] == "gdpr_erasure"
    # gone from every read
    assert client.get("/players/player_42").status_code == 404
    assert client.get(f"/players/{seg(placeholder)}").status_code == 404
    assert client.get("/players/player_42/export").status_code == 404


def test_three_statuses_and_re_registration(
    client: http_lib.Client, engine: Engine, clock: FakeClock
) -> None:
    clock.advance(timedelta(hours=1))
    never = delete(client, "ghost", "d0").json()["data"]
    assert never == {
        "playerId": None,
        "externalPlayerId": "ghost",
        "anonymizedExternalId": None,
        "deletedAt": "2030-01-01T01:00:00.000Z",  # always a string: the time of the call
        "attemptsAnonymized": 0,
        "lobbiesAnonymized": 0,
        "leaderboardsScrubbed": 0,
        "status": "no_op_never_existed",
    }
    first_row = seed_history(client, engine, "p")
    erased = delete(client, "p", "d1", reason="studio_request").json()["data"]
    again = delete(client, "p", "d2").json()["data"]
    replay = delete(client, "p", "d1", reason="studio_request")

    assert erased["status"] == "erased"
    assert again == {
        **erased,
        "status": "no_op_already_erased",
        "attemptsAnonymized": 0,
        "lobbiesAnonymized": 0,
        "leaderboardsScrubbed": 0,
    }
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["data"] == erased
    assert outbox_count(engine, "player.deleted") == 1

    # the id is free again: a new write registers a new player, and a delete erases that one
    credit = client.post(
        "/players/p/wallet/gold/credit", json={"amount": 3, "idempotencyKey": "new"}
    )
    assert credit.json()["data"]["balance"] == 3
    second_row = player_id(engine, "p")
    assert second_row != first_row
    second = delete(client, "p", "d3").json()["data"]
    assert (second["status"], second["playerId"]) == ("erased", second_row)
    latest = delete(client, "p", "d4").json()["data"]
    assert (latest["status"], latest["playerId"]) == ("no_op_already_erased", second_row)
    assert outbox_count(engine, "player.deleted") == 2


def test_writes_to_a_placeholder_id_are_not_found(client: http_lib.Client, engine: Engine) -> None:
    seed_history(client, engine, "p")
    placeholder = delete(client, "p", "d").json()["data"]["anonymizedExternalId"]
    target = f"/players/{seg(placeholder)}"
    for response in (
        client.post(f"{target}/ban", json={"reason": "r", "idempotencyKey": "b"}),
        client.post(f"{target}/wallet/gold/credit", json={"amount": 1, "idempotencyKey": "c"}),
        client.put(f"{target}/identity", json={"name": "x", "idempotencyKey": "i"}),
        # the original id names nobody now, and setting an identity does not register anyone
        client.put("/players/p/identity", json={"name": "x", "idempotencyKey": "i2"}),
    ):
        assert response.status_code == 404, response.text
    # deleting by the placeholder finds no live player and no erasure under that id
    assert delete(client, placeholder, "d9").json()["data"]["status"] == "no_op_never_existed"


def test_bad_reason_is_a_validation_error(client: http_lib.Client) -> None:
    response = delete(client, "p", "d", reason="because")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "reason"
