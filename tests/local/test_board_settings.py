"""Score submissions on boards with a world-file ``score_aggregation``, ``reset_cadence`` and
``scope``: what each keeps, when periods turn over (moving the clock), and which games rank
together."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine

from kraty_local.clock import FakeClock
from kraty_local.shared_server import Served
from kraty_local.store.schema import leaderboard_entries
from kraty_local.world import Leaderboard, World
from tests._http import http_lib

from .conftest import in_process_client
from .helpers import OTHER_GAME_KEY, OTHER_STUDIO_KEY, count, make_world, with_boards

#: Boards added to every game of the test world (game_1 and game_2 in studio_1, game_3 alone).
BOARDS = (
    Leaderboard("latest_board", score_aggregation="latest"),
    Leaderboard("sum_board", score_aggregation="sum"),
    Leaderboard("weekly_board", reset_cadence="weekly"),
    Leaderboard("monthly_sum_board", reset_cadence="monthly", score_aggregation="sum"),
    Leaderboard("studio_board", scope="studio"),
)


def settings_world() -> World:
    """The test world with :data:`BOARDS` in every game."""
    return with_boards(make_world(), *BOARDS)


@pytest.fixture
def world() -> World:
    """:func:`settings_world`."""
    return settings_world()


@pytest.fixture
def game_2(server: Served) -> Iterator[http_lib.Client]:
    """A server client of game_2 (studio_1, like the start-up key's game_1)."""
    with in_process_client(server, OTHER_GAME_KEY) as http:
        yield http


def score(
    client: http_lib.Client, board: str, player: str, value: float, key: str | None = None
) -> dict[str, Any]:
    """Submit a score (idempotency key: ``key``, else one unique to the call) and answer it."""
    body = {"externalPlayerId": player, "value": value, "idempotencyKey": key or uuid4().hex}
    response = client.post(f"/leaderboards/{board}/score", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def kept(answer: dict[str, Any]) -> tuple[Any, Any]:
    return answer["score"], answer["rank"]


def move_to(clock: FakeClock, when: datetime) -> None:
    clock.advance(when - clock.now())


# --- aggregation ------------------------------------------------------------------------------


def test_best_keeps_the_better_score(client: http_lib.Client) -> None:
    score(client, "weekly_board", "alice", 50)

    assert kept(score(client, "weekly_board", "alice", 20)) == (50, 1)
    assert kept(score(client, "weekly_board", "alice", 70.5)) == (70.5, 1)


def test_latest_replaces_the_score_even_with_a_worse_one(client: http_lib.Client) -> None:
    assert score(client, "latest_board", "alice", 50) == {
        "leaderboardId": "latest_board",
        "score": 50,
        "rank": 1,
    }
    score(client, "latest_board", "bob", 40)

    assert kept(score(client, "latest_board", "alice", 30)) == (30, 2)
    assert kept(score(client, "latest_board", "bob", 10)) == (10, 2)


def test_sum_adds_the_scores_up(client: http_lib.Client, engine: Engine) -> None:
    score(client, "sum_board", "alice", 10)
    score(client, "sum_board", "bob", 20)

    assert kept(score(client, "sum_board", "alice", 15.5)) == (25.5, 1)
    assert kept(score(client, "sum_board", "bob", 5)) == (25, 2)
    assert count(engine, leaderboard_entries) == 2


def test_a_replayed_sum_adds_nothing_and_a_changed_one_conflicts(client: http_lib.Client) -> None:
    first = score(client, "sum_board", "alice", 10, key="s1")
    replayed = client.post(
        "/leaderboards/sum_board/score",
        json={"externalPlayerId": "alice", "value": 10, "idempotencyKey": "s1"},
    )
    changed = client.post(
        "/leaderboards/sum_board/score",
        json={"externalPlayerId": "alice", "value": 11, "idempotencyKey": "s1"},
    )

    assert replayed.json()["data"] == first
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert changed.status_code == 409
    assert kept(score(client, "sum_board", "alice", 1)) == (11, 1)


def test_concurrent_sums_lose_no_score(client: http_lib.Client, engine: Engine) -> None:
    def send(value: int) -> http_lib.Response:
        body = {"externalPlayerId": "alice", "value": value, "idempotencyKey": f"c{value}"}
        return client.post("/leaderboards/sum_board/score", json=body)

    with ThreadPoolExecutor(16) as pool:  # the first ones race to create the entry
        responses = list(pool.map(send, range(1, 33)))

    # 503 with Retry-After: "database busy, nothing applied", which a loaded machine may see
    assert {r.status_code for r in responses} <= {200, 503}
    applied = [v for v, r in zip(range(1, 33), responses, strict=True) if r.status_code == 200]
    answers = sorted(r.json()["data"]["score"] for r in responses if r.status_code == 200)
    assert answers[-1] == sum(applied)
    assert len(set(answers)) == len(applied)  # each saw the sum of those before it
    assert count(engine, leaderboard_entries) == 1


# --- reset cadence ----------------------------------------------------------------------------


def test_a_weekly_board_starts_over_on_monday_utc(
    client: http_lib.Client, clock: FakeClock, engine: Engine
) -> None:
    score(client, "weekly_board", "alice", 100)
    move_to(clock, datetime(2030, 1, 6, 23, 59, 59, 999000, tzinfo=timezone.utc))  # Sunday
    assert kept(score(client, "weekly_board", "bob", 50)) == (50, 2)
    assert kept(score(client, "weekly_board", "alice", 10)) == (100, 1)

    clock.advance(timedelta(milliseconds=1))  # Monday 2030-01-07 00:00 UTC

    assert kept(score(client, "weekly_board", "alice", 10)) == (10, 1)
    assert kept(score(client, "weekly_board", "carol", 5)) == (5, 2)  # bob's 50 was last week
    assert count(engine, leaderboard_entries) == 4  # last week's scores are kept


def test_a_monthly_sum_starts_over_on_the_first_utc(
    client: http_lib.Client, clock: FakeClock
) -> None:
    score(client, "monthly_sum_board", "alice", 5)
    move_to(clock, datetime(2030, 1, 31, 23, 59, 59, tzinfo=timezone.utc))
    assert kept(score(client, "monthly_sum_board", "alice", 5)) == (10, 1)

    clock.advance(1)  # 2030-02-01 00:00 UTC

    assert kept(score(client, "monthly_sum_board", "alice", 5)) == (5, 1)


def test_a_board_that_never_resets_keeps_its_scores(
    client: http_lib.Client, clock: FakeClock
) -> None:
    score(client, "sum_board", "alice", 5)
    clock.advance(timedelta(days=3650))

    assert kept(score(client, "sum_board", "alice", 5)) == (10, 1)


def test_a_retry_after_the_period_turned_replays_the_first_answer(
    client: http_lib.Client, clock: FakeClock
) -> None:
    move_to(clock, datetime(2030, 1, 6, 23, tzinfo=timezone.utc))  # Sunday
    first = score(client, "weekly_board", "alice", 30, key="late")
    clock.advance(timedelta(hours=2))  # Monday, within the key's 24 hours

    assert score(client, "weekly_board", "alice", 30, key="late") == first
    assert kept(score(client, "weekly_board", "bob", 1)) == (1, 1)  # alice's retry added nothing


# --- scope ------------------------------------------------------------------------------------


def test_a_studio_board_ranks_every_game_of_the_studio_together(
    client: http_lib.Client, game_2: http_lib.Client, server: Served
) -> None:
    assert kept(score(client, "studio_board", "alice", 100)) == (100, 1)
    assert kept(score(game_2, "studio_board", "bob", 150)) == (150, 1)
    assert kept(score(client, "studio_board", "carol", 120)) == (120, 2)
    assert kept(score(game_2, "studio_board", "alice", 90)) == (90, 4)  # game_2's own alice
    with in_process_client(server, OTHER_STUDIO_KEY) as game_3:  # studio_2
        assert kept(score(game_3, "studio_board", "dave", 1)) == (1, 1)

    assert kept(score(client, "studio_board", "alice", 100)) == (100, 3)


def test_a_game_board_ranks_its_own_game_only(
    client: http_lib.Client, game_2: http_lib.Client
) -> None:
    score(game_2, "weekly_board", "bob", 150)

    assert kept(score(client, "weekly_board", "alice", 100)) == (100, 1)
