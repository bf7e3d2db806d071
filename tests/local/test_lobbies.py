"""Lobbies: push (idempotent on ``key``), read, event rules, game access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from kraty_local.clock import FakeClock
from kraty_local.server import LocalServer
from kraty_local.store.schema import lobbies, players
from kraty_local.world import Event, World
from tests._http import http_lib

from .helpers import (
    OTHER_GAME_KEY,
    OTHER_STUDIO_KEY,
    PAST_WINDOW,
    STUDIO_WIDE_KEY,
    count,
    make_world,
    with_events,
)
from .helpers import outbox_count as outbox

PUSH = "/games/game_1/events/quick_brawl/lobbies"


@pytest.fixture
def world() -> World:
    """The test world plus lobby events: another one, a disabled one, one whose window is over."""
    base = make_world()
    window = base.games["game_1"].events["quick_brawl"].window
    return with_events(
        base,
        Event("old_brawl", "lobby_matched", 4, False, False, window),
        Event("duo_brawl", "lobby_matched", 2, False, True, window),
        Event("past_brawl", "lobby_matched", 4, False, True, PAST_WINDOW),
    )


def push(client: http_lib.Client, path: str = PUSH, **body: Any) -> http_lib.Response:
    body.setdefault("key", "mm_1")
    body.setdefault("externalPlayerIds", ["alice", "bob", "carol"])
    body.setdefault("idempotencyKey", "ik")
    return client.post(path, json=body)


def error_code(response: http_lib.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_push_creates_a_forming_lobby_and_its_players(
    client: http_lib.Client, engine: Engine
) -> None:
    response = push(client, capacity=4, fillBots=False)

    assert response.status_code == 200
    lobby = response.json()["data"]
    assert lobby == {
        "id": lobby["id"],
        "eventId": "quick_brawl",
        "eventWindowId": "w1",
        "leaderboardId": f"lobby:{lobby['id']}",
        "mode": "lobby_matched",
        "status": "forming",
        "capacity": 4,
        "fillBy": "2100-01-01T00:00:00.000Z",
        "participantCount": 3,
        "botSlots": 0,
        "startedAt": None,
        "endsAt": "2100-01-01T00:00:00.000Z",
    }
    assert count(engine, players) == 3
    assert outbox(engine, "player.registered") == 3
    assert outbox(engine, "lobby.created") == 1


def test_bots_fill_the_free_seats(client: http_lib.Client) -> None:
    lobby = push(client, capacity=6, fillBots=True).json()["data"]

    assert (lobby["status"], lobby["botSlots"], lobby["fillBy"]) == ("active", 3, None)
    assert lobby["startedAt"] == "2030-01-01T00:00:00.000Z"


def test_defaults_come_from_the_event(client: http_lib.Client) -> None:
    lobby = push(client).json()["data"]  # quick_brawl: capacity 4, fill_bots true

    assert (lobby["capacity"], lobby["botSlots"], lobby["status"]) == (4, 1, "active")


def test_a_full_lobby_is_active_without_bots(client: http_lib.Client) -> None:
    lobby = push(client, externalPlayerIds=["a", "b"], capacity=2, fillBots=False).json()["data"]

    assert (lobby["status"], lobby["botSlots"]) == ("active", 0)


def test_read_lists_participants_in_push_order(client: http_lib.Client) -> None:
    lobby = push(client, externalPlayerIds=["zed", "amy", "a/b ü"]).json()["data"]

    response = client.get(f"/games/game_1/lobbies/{lobby['id']}")

    assert response.status_code == 200
    assert response.json()["data"] == {
        **lobby,
        "participants": [
            {"externalPlayerId": "zed"},
            {"externalPlayerId": "amy"},
            {"externalPlayerId": "a/b ü"},
        ],
    }


def test_existing_players_are_reused(client: http_lib.Client, engine: Engine) -> None:
    client.post("/players/alice/wallet/gold/credit", json={"amount": 1, "idempotencyKey": "k"})

    push(client)

    assert count(engine, players) == 3
    assert outbox(engine, "player.registered") == 3


def test_same_key_same_request_returns_the_same_lobby(
    client: http_lib.Client, engine: Engine
) -> None:
    first = push(client, idempotencyKey="one").json()["data"]

    again = push(client, idempotencyKey="two", externalPlayerIds=["carol", "alice", "bob"])

    assert again.status_code == 200
    assert again.json()["data"] == first
    assert count(engine, lobbies) == 1
    assert outbox(engine, "lobby.created") == 1


@pytest.mark.parametrize(
    ("change", "differing"),
    [
        ({"externalPlayerIds": ["alice", "bob"]}, ["externalPlayerIds"]),
        ({"capacity": 3}, ["capacity"]),
        ({"fillBots": False}, ["fillBots"]),
        ({"metadata": {"region": "eu"}}, ["metadata"]),
    ],
)
def test_same_key_different_request_is_an_idempotency_conflict(
    client: http_lib.Client, engine: Engine, change: dict[str, Any], differing: list[str]
) -> None:
    push(client)

    response = push(client, **change)

    assert error_code(response) == (409, "idempotency_conflict")
    assert response.json()["error"]["details"]["differingFields"] == differing
    assert count(engine, lobbies) == 1


def test_same_key_on_another_event_is_an_idempotency_conflict(client: http_lib.Client) -> None:
    push(client, capacity=4, fillBots=True)

    response = push(client, "/games/game_1/events/duo_brawl/lobbies", capacity=4, fillBots=True)

    assert error_code(response) == (409, "idempotency_conflict")
    assert response.json()["error"]["details"]["differingFields"] == ["eventKey"]


def test_the_same_key_in_another_game_is_another_lobby(server: LocalServer) -> None:
    with http_lib.Client(
        base_url=server.base_url + "/server/v1",
        headers={"Authorization": f"Bearer {STUDIO_WIDE_KEY}"},
    ) as studio:
        one = push(studio).json()["data"]
        two = push(studio, "/games/game_2/events/quick_brawl/lobbies").json()["data"]
        assert one["id"] != two["id"]
        assert studio.get(f"/games/game_1/lobbies/{two['id']}").status_code == 404
        assert studio.get(f"/games/game_2/lobbies/{two['id']}").status_code == 200


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/games/game_1/events/nope/lobbies", 404, "not_found"),
        ("/games/game_1/events/old_brawl/lobbies", 409, "event_disabled"),
        ("/games/game_1/events/weekly_race/lobbies", 409, "conflict"),
        ("/games/game_1/events/past_brawl/lobbies", 409, "conflict"),
        ("/games/game_2/events/quick_brawl/lobbies", 403, "forbidden"),
        ("/games/game_3/events/quick_brawl/lobbies", 403, "tenant_mismatch"),
        ("/games/no_such_game/events/quick_brawl/lobbies", 403, "forbidden"),
    ],
)
def test_refused_pushes(
    client: http_lib.Client, engine: Engine, path: str, status: int, code: str
) -> None:
    assert error_code(push(client, path)) == (status, code)
    assert count(engine, lobbies) == 0
    assert count(engine, players) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"externalPlayerIds": ["a", "b", "c"], "capacity": 2},
        {"externalPlayerIds": ["a", "b", "c", "d", "e"]},  # the event's capacity is 4
        {"externalPlayerIds": []},
        {"externalPlayerIds": ["a", "a"]},
        {"externalPlayerIds": [""]},
        {"externalPlayerIds": "alice"},
        {"capacity": 0},
        {"capacity": "4"},
        {"fillBots": "yes"},
        {"key": ""},
        {"unknown": 1},
    ],
)
def test_invalid_pushes(client: http_lib.Client, engine: Engine, body: dict[str, Any]) -> None:
    assert error_code(push(client, **body)) == (400, "validation_failed")
    assert count(engine, lobbies) == 0


def test_other_keys_are_refused(server: LocalServer) -> None:
    for key, code in ((OTHER_GAME_KEY, "forbidden"), (OTHER_STUDIO_KEY, "tenant_mismatch")):
        response = http_lib.post(
            server.base_url + "/server/v1" + PUSH,
            json={"key": "k", "externalPlayerIds": ["a"], "idempotencyKey": "i"},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert error_code(response) == (403, code)
        read = http_lib.get(
            server.base_url + "/server/v1/games/game_1/lobbies/x",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert error_code(read) == (403, code)


def test_unknown_lobby_is_not_found(client: http_lib.Client) -> None:
    assert error_code(client.get("/games/game_1/lobbies/nope")) == (404, "not_found")


def test_lobby_reads_closed_after_its_window(client: http_lib.Client, clock: FakeClock) -> None:
    lobby = push(client).json()["data"]
    clock.advance(timedelta(days=365 * 71))

    assert client.get(f"/games/game_1/lobbies/{lobby['id']}").json()["data"]["status"] == "closed"
