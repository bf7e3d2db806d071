"""Leaderboard scores, attempt progress with milestones, and finishing attempts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from kraty_local.clock import FakeClock
from kraty_local.store.schema import attempts, grants, leaderboard_entries
from kraty_local.timefmt import iso
from kraty_local.world import World
from tests._http import http_lib

from .helpers import count, make_world, outbox_count
from .player_seed import AT, attempt_row, insert, player_id

AFTER_THE_WINDOW = timedelta(days=365 * 71)  # the default windows end in 2100
ATTEMPT = "/players/p1/events/weekly_race/attempts/a1"


@pytest.fixture
def world() -> World:
    """The test world plus a disabled copy of ``weekly_race``."""
    base = make_world()
    game = base.games["game_1"]
    old = replace(game.events["weekly_race"], key="old_race", enabled=False)
    events = {**game.events, "old_race": old}
    return replace(base, games={**base.games, "game_1": replace(game, events=events)})


def post(client: http_lib.Client, path: str, key: str = "k", **body: Any) -> http_lib.Response:
    return client.post(path, json={**body, "idempotencyKey": key})


def score(
    client: http_lib.Client,
    player: str,
    value: float,
    board: str = "weekly_race_board",
    **extra: Any,
) -> dict[str, Any]:
    response = post(
        client,
        f"/leaderboards/{board}/score",
        f"{board}:{player}:{value}:{extra}",
        externalPlayerId=player,
        value=value,
        **extra,
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def progress(
    client: http_lib.Client, key: str, path: str = ATTEMPT, **body: Any
) -> http_lib.Response:
    return post(client, f"{path}/progress", key, **body)


def error(response: http_lib.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


# --- scores -----------------------------------------------------------------------------------


def test_the_board_keeps_each_players_best_score(client: http_lib.Client, engine: Engine) -> None:
    assert score(client, "alice", 50) == {
        "leaderboardId": "weekly_race_board",
        "score": 50,
        "rank": 1,
    }
    assert score(client, "bob", 80)["rank"] == 1
    assert score(client, "alice", 30) == {
        "leaderboardId": "weekly_race_board",
        "score": 50,
        "rank": 2,
    }
    assert score(client, "alice", 90.5)["score"] == 90.5
    assert score(client, "bob", 10)["rank"] == 2
    assert count(engine, leaderboard_entries) == 2
    assert outbox_count(engine, "player.registered") == 2


def test_ties_share_a_rank(client: http_lib.Client) -> None:
    score(client, "alice", 10)
    score(client, "bob", 10)

    assert score(client, "carol", 5)["rank"] == 3
    assert score(client, "bob", 10)["rank"] == 1


def test_ascending_boards_rank_low_scores_first(client: http_lib.Client) -> None:
    score(client, "alice", 61.2, "speedrun_board")
    assert score(client, "bob", 59.9, "speedrun_board")["rank"] == 1
    assert score(client, "alice", 70, "speedrun_board") == {
        "leaderboardId": "speedrun_board",
        "score": 61.2,
        "rank": 2,
    }


def test_segments_rank_separately(client: http_lib.Client) -> None:
    score(client, "alice", 100, segment="eu")

    assert score(client, "bob", 1, segment="us")["rank"] == 1
    assert score(client, "bob", 1)["rank"] == 1
    assert score(client, "carol", 2, segment="eu")["rank"] == 2


def test_scores_are_idempotent(client: http_lib.Client) -> None:
    body = {"externalPlayerId": "alice", "value": 5}
    first = post(client, "/leaderboards/weekly_race_board/score", "s1", **body)
    post(client, "/leaderboards/weekly_race_board/score", "s2", externalPlayerId="bob", value=9)
    again = post(client, "/leaderboards/weekly_race_board/score", "s1", **body)
    changed = post(client, "/leaderboards/weekly_race_board/score", "s1", **{**body, "value": 6})

    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert error(changed) == (409, "idempotency_conflict")


@pytest.mark.parametrize(
    ("board", "body", "expected"),
    [
        ("nope", {}, (404, "not_found")),
        ("event_points_board", {}, (400, "score_not_supported")),
        ("weekly_race_board", {"value": "5"}, (400, "validation_failed")),
        ("weekly_race_board", {"value": 2**60}, (400, "validation_failed")),
        ("weekly_race_board", {"value": True}, (400, "validation_failed")),
        ("weekly_race_board", {"segment": ""}, (400, "validation_failed")),
        ("weekly_race_board", {"externalPlayerId": ""}, (400, "validation_failed")),
    ],
)
def test_refused_scores(
    client: http_lib.Client,
    engine: Engine,
    board: str,
    body: dict[str, Any],
    expected: tuple[int, str],
) -> None:
    response = post(
        client, f"/leaderboards/{board}/score", **{"externalPlayerId": "p", "value": 1, **body}
    )

    assert error(response) == expected
    assert count(engine, leaderboard_entries) == 0


def test_non_finite_scores_are_refused(client: http_lib.Client) -> None:
    response = client.post(
        "/leaderboards/weekly_race_board/score",
        content=b'{"externalPlayerId": "p", "value": NaN, "idempotencyKey": "k"}',
        headers={"content-type": "application/json"},
    )

    assert error(response) == (400, "validation_failed")


# --- progress and milestones ------------------------------------------------------------------


def test_increments_fire_each_milestone_once(client: http_lib.Client, engine: Engine) -> None:
    first = progress(client, "r1", mode="increment", metricValue=150).json()["data"]
    replay = progress(client, "r1", mode="increment", metricValue=150).json()["data"]
    second = progress(client, "r2", mode="increment", metricValue=400).json()["data"]
    third = progress(client, "r3", mode="increment", metricValue=1).json()["data"]

    assert replay == first
    assert [m["key"] for m in first["milestonesFired"]] == ["bronze"]
    grant = first["milestonesFired"][0]["grants"][0]
    assert (grant["status"], grant["sourceKind"]) == ("pending", "event")
    assert grant["sourceRefId"] == "weekly_race:a1:bronze"
    assert grant["contents"] == {
        "entries": [{"type": "currency", "currencyKey": "gold", "amount": 50}]
    }
    assert [m["key"] for m in second["milestonesFired"]] == ["silver"]
    assert third["milestonesFired"] == []  # never null
    assert third["attempt"]["score"] == 551
    assert count(engine, grants) == 2
    assert outbox_count(engine, "grant.created") == 2


def test_set_jumps_past_several_milestones_and_never_refires(client: http_lib.Client) -> None:
    jump = progress(client, "s1", mode="set", metricValue=1000).json()["data"]
    back = progress(client, "s2", mode="set", metricValue=0).json()["data"]
    again = progress(client, "s3", mode="set", metricValue=5000).json()["data"]

    assert [m["key"] for m in jump["milestonesFired"]] == ["bronze", "silver", "gold"]
    crate = jump["milestonesFired"][2]["grants"][0]["contents"]["entries"]
    assert crate == [{"type": "crate", "crateItemKey": "legendary_box", "quantity": 1}]
    assert back["attempt"]["score"] == 0
    assert again["milestonesFired"] == []


def test_milestone_grants_can_be_claimed(client: http_lib.Client) -> None:
    fired = progress(client, "r1", mode="increment", metricValue=100).json()["data"]
    grant_id = fired["milestonesFired"][0]["grants"][0]["id"]

    ack = post(client, f"/players/p1/grants/{grant_id}/ack", "ack")
    credit = post(client, "/players/p1/wallet/gold/credit", "c", amount=1)

    assert ack.json()["data"]["status"] == "claimed"
    assert credit.json()["data"]["balance"] == 51


def test_metrics_are_set_and_incremented(client: http_lib.Client) -> None:
    progress(client, "m1", mode="set", metrics={"laps": 2, "coins": 5})
    progress(client, "m2", mode="increment", metrics={"laps": 1, "jumps": 3})
    last = progress(
        client, "m3", mode="set", metrics={"coins": 1.5}, occurredAt="2029-12-31T23:00:00Z"
    ).json()["data"]["attempt"]

    assert last["metrics"] == {"laps": 3, "coins": 1.5, "jumps": 3}
    assert last["metricsRaw"] == last["metrics"]  # Kraty Local applies no metric formula
    assert last["score"] == 0
    assert (last["status"], last["id"], last["eventId"]) == ("in_progress", "a1", "weekly_race")
    assert last["startedAt"] == "2030-01-01T00:00:00.000Z"
    exported = client.get("/players/p1/export").json()["data"]["attempts"][0]
    assert exported["lastProgressAt"] == "2029-12-31T23:00:00.000Z"


def test_attempts_are_per_player_and_id(client: http_lib.Client, engine: Engine) -> None:
    progress(client, "a", mode="increment", metricValue=1)
    progress(
        client, "b", "/players/p1/events/weekly_race/attempts/a2", mode="increment", metricValue=1
    )
    other = progress(
        client,
        "c",
        "/players/p%2F2/events/weekly_race/attempts/a1",
        mode="increment",
        metricValue=1,
    )

    assert other.json()["data"]["attempt"]["playerId"] == player_id(engine, "p/2")
    assert other.json()["data"]["attempt"]["score"] == 1
    assert count(engine, attempts) == 3


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/players/p1/events/nope/attempts/a1", {}, (404, "not_found")),
        ("/players/p1/events/old_race/attempts/a1", {}, (409, "event_disabled")),
        (ATTEMPT, {"metricValue": None}, (400, "validation_failed")),
        (ATTEMPT, {"mode": "add"}, (400, "validation_failed")),
        (ATTEMPT, {"metricValue": "1"}, (400, "validation_failed")),
        (ATTEMPT, {"metrics": {"laps": "x"}}, (400, "validation_failed")),
        (ATTEMPT, {"occurredAt": 12}, (400, "validation_failed")),
    ],
)
def test_refused_progress(
    client: http_lib.Client,
    engine: Engine,
    path: str,
    body: dict[str, Any],
    expected: tuple[int, str],
) -> None:
    response = progress(client, "k", path, **{"mode": "increment", "metricValue": 1, **body})

    assert error(response) == expected
    assert count(engine, attempts) == 0


def test_progress_after_the_window_is_a_conflict(client: http_lib.Client, clock: FakeClock) -> None:
    clock.advance(AFTER_THE_WINDOW)

    assert error(progress(client, "k", mode="set", metricValue=1)) == (409, "conflict")


# --- finish ----------------------------------------------------------------------------------


def test_finish_completes_once(client: http_lib.Client, engine: Engine) -> None:
    progress(client, "p", mode="set", metricValue=42)

    done = post(client, f"{ATTEMPT}/finish", "f1").json()["data"]
    again = post(client, f"{ATTEMPT}/finish", "f2").json()["data"]

    assert done["outcome"] == "completed"
    assert (done["attempt"]["status"], done["attempt"]["score"]) == ("completed", 42)
    assert done["attempt"]["completedAt"] == "2030-01-01T00:00:00.000Z"
    assert again == done
    assert outbox_count(engine, "event.completed") == 1
    assert error(progress(client, "late", mode="set", metricValue=1)) == (409, "conflict")


def test_finish_after_the_window_expires(
    client: http_lib.Client, engine: Engine, clock: FakeClock
) -> None:
    progress(client, "p", mode="set", metricValue=42)
    clock.advance(AFTER_THE_WINDOW)

    done = post(client, f"{ATTEMPT}/finish", "f1").json()["data"]

    assert (done["outcome"], done["attempt"]["status"]) == ("expired", "expired")
    assert done["attempt"]["completedAt"] == iso(AT + AFTER_THE_WINDOW)
    assert outbox_count(engine, "event.completed") == 0


def test_finishing_an_unknown_attempt_is_not_found(client: http_lib.Client) -> None:
    progress(client, "p", mode="set", metricValue=1)

    assert error(post(client, "/players/p1/events/weekly_race/attempts/zz/finish")) == (
        404,
        "not_found",
    )
    assert error(post(client, "/players/nobody/events/weekly_race/attempts/a1/finish")) == (
        404,
        "not_found",
    )
    assert error(post(client, "/players/p1/events/nope/attempts/a1/finish")) == (404, "not_found")


# --- the attempt's shape (contract section 9) --------------------------------------------------


def test_the_first_progress_starts_the_attempt_in_the_wire_shape(
    client: http_lib.Client, engine: Engine, clock: FakeClock
) -> None:
    started = progress(client, "p", mode="set", metricValue=7, metrics={"laps": 1}).json()["data"]
    clock.advance(timedelta(minutes=3))
    done = post(client, f"{ATTEMPT}/finish", "f").json()["data"]

    attempt = {
        "id": "a1",  # the path's attemptId
        "eventId": "weekly_race",
        "eventWindowId": "w1",
        "leaderboardId": "event:weekly_race:w1",
        "playerId": player_id(engine, "p1"),
        "startedAt": "2030-01-01T00:00:00.000Z",
        "endsAt": "2100-01-01T00:00:00.000Z",  # the window's end
        "completedAt": None,
        "metrics": {"laps": 1},
        "metricsRaw": {"laps": 1},
        "score": 7,
        "status": "in_progress",
    }
    assert started == {"attempt": attempt, "milestonesFired": []}
    assert done == {
        "attempt": {**attempt, "completedAt": "2030-01-01T00:03:00.000Z", "status": "completed"},
        "outcome": "completed",
    }


def test_an_attempt_in_a_lobby_ranks_on_the_lobby_board(client: http_lib.Client) -> None:
    pushed = client.post(
        "/games/game_1/events/quick_brawl/lobbies",
        json={"key": "match-1", "externalPlayerIds": ["p1", "p2"], "idempotencyKey": "l"},
    ).json()["data"]
    inside = progress(
        client, "in", "/players/p1/events/quick_brawl/attempts/r1", mode="set", metricValue=3
    ).json()["data"]["attempt"]
    outside = progress(
        client, "out", "/players/p3/events/quick_brawl/attempts/r1", mode="set", metricValue=3
    ).json()["data"]["attempt"]

    lobby_view = (pushed["eventId"], pushed["eventWindowId"], pushed["leaderboardId"])
    assert (inside["eventId"], inside["eventWindowId"], inside["leaderboardId"]) == lobby_view
    assert (outside["eventId"], outside["eventWindowId"]) == lobby_view[:2]
    assert outside["leaderboardId"] == "event:quick_brawl:w1"


def test_an_attempt_from_before_revision_0003_reads_in_the_wire_shape(
    client: http_lib.Client, engine: Engine
) -> None:
    post(client, "/players/p1/wallet/gold/credit", "c", amount=1)
    me = player_id(engine, "p1")
    # no window recorded; metrics as the API stores them (numbers), since the answer is typed
    legacy = attempt_row(me, "a1", status="in_progress", metrics={"laps": 2})
    insert(engine, attempts, legacy)

    attempt = progress(client, "p", mode="increment", metricValue=5).json()["data"]["attempt"]

    assert (attempt["id"], attempt["score"], attempt["status"]) == ("a1", 15, "in_progress")
    assert (attempt["eventWindowId"], attempt["endsAt"]) == ("w1", "2100-01-01T00:00:00.000Z")
    assert attempt["leaderboardId"] == "event:weekly_race:w1"
    assert attempt["startedAt"] == iso(AT)
