"""``GET /sdk/v1/leaderboards/{key}`` of boards with world-file settings: the read reports
``scope``, ``resetCadence`` and ``scoreAggregation`` and shows the current period only."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from kraty_local.clock import FakeClock
from kraty_local.shared_server import Served
from kraty_local.world import CLIENT_SDK, ServerKey, World
from tests._http import http_lib
from tests.conformance.client_reference import CLIENT_TYPES
from tests.conformance.schema import validate
from tests.local.conftest import in_process_client
from tests.local.helpers import OTHER_GAME_KEY
from tests.local.test_board_settings import score, settings_world

from .conftest import PlayerFactory

GAME_2_CLIENT_KEY = "kt_client2.secret-client-2"


@pytest.fixture
def world() -> World:
    """The board-settings test world, plus a client key of game_2."""
    base = settings_world()
    key = ServerKey.from_plaintext(
        GAME_2_CLIENT_KEY, studio_id="studio_1", game_id="game_2", permission_set=CLIENT_SDK
    )
    return replace(base, keys=(*base.keys, key))


def _scores(board: dict[str, Any]) -> list[tuple[int, float]]:
    return [(entry["rank"], entry["score"]) for entry in board["entries"]]


@pytest.mark.parametrize(
    ("key", "settings", "period"),
    [
        ("weekly_race_board", ("game", "never", "best"), "1970-01-01T00:00:00.000Z"),
        ("weekly_board", ("game", "weekly", "best"), "2029-12-31T00:00:00.000Z"),  # a Monday
        ("monthly_sum_board", ("game", "monthly", "sum"), "2030-01-01T00:00:00.000Z"),
        ("latest_board", ("game", "never", "latest"), "1970-01-01T00:00:00.000Z"),
        ("studio_board", ("studio", "never", "best"), "1970-01-01T00:00:00.000Z"),
    ],
)
def test_the_read_reports_the_boards_settings_and_current_period(
    player_of: PlayerFactory, key: str, settings: tuple[str, str, str], period: str
) -> None:
    board = player_of("p1", register=False).leaderboard(key)

    assert validate(board, "Leaderboard", CLIENT_TYPES) == []
    assert (board["scope"], board["resetCadence"], board["scoreAggregation"]) == settings
    assert board["period"] == period


def test_a_new_week_reads_empty_and_last_weeks_scores_stay_behind(
    client: http_lib.Client, player_of: PlayerFactory, clock: FakeClock
) -> None:
    game = player_of("p1")
    score(client, "weekly_board", "p1", 40)
    score(client, "weekly_board", "p2", 60)
    assert _scores(game.leaderboard("weekly_board")) == [(1, 60), (2, 40)]

    clock.advance(timedelta(days=6))  # Monday 2030-01-07 00:00 UTC
    turned = game.leaderboard("weekly_board", include_self=True)
    score(client, "weekly_board", "p1", 5)
    after = game.leaderboard("weekly_board", include_self=True)

    assert (turned["period"], turned["entries"], turned["self"]) == (
        "2030-01-07T00:00:00.000Z",
        [],
        None,
    )
    assert _scores(after) == [(1, 5)]
    assert after["self"] == {"rank": 1, "score": 5}


def test_sums_and_latest_scores_read_as_submitted(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    game = player_of("p1")
    for value in (10, 2.5):
        score(client, "monthly_sum_board", "p1", value)
        score(client, "latest_board", "p1", value)
    score(client, "latest_board", "p2", 7)

    assert _scores(game.leaderboard("monthly_sum_board")) == [(1, 12.5)]
    assert _scores(game.leaderboard("latest_board")) == [(1, 7), (2, 2.5)]


def test_a_studio_board_reads_alike_from_every_game_of_the_studio(
    client: http_lib.Client, player_of: PlayerFactory, server: Served
) -> None:
    score(client, "studio_board", "p1", 100)
    with in_process_client(server, OTHER_GAME_KEY) as game_2:
        score(game_2, "studio_board", "p2", 150)
        score(game_2, "weekly_race_board", "p2", 150)  # a game board: game_2's own
    from_game_1 = player_of("p1").leaderboard("studio_board", include_self=True)
    from_game_2 = player_of("p2", client_key=GAME_2_CLIENT_KEY).leaderboard(
        "studio_board", include_self=True
    )

    assert _scores(from_game_1) == _scores(from_game_2) == [(1, 150), (2, 100)]
    assert from_game_1["self"] == {"rank": 2, "score": 100}
    assert from_game_2["self"] == {"rank": 1, "score": 150}
    assert [e["isSelf"] for e in from_game_2["entries"]] == [True, False]
    assert player_of("p3").leaderboard("weekly_race_board")["entries"] == []


def test_a_past_period_reads_by_any_time_inside_it(
    client: http_lib.Client, raw: http_lib.Client, server: Served, clock: FakeClock
) -> None:
    score(client, "weekly_board", "p1", 40)
    clock.advance(timedelta(days=6))  # Monday 2030-01-07 00:00 UTC
    score(client, "weekly_board", "p1", 5)

    def read(period: str) -> http_lib.Response:
        return raw.get(
            "/sdk/v1/leaderboards/weekly_board",
            params={"period": period},
            headers={"Authorization": f"Bearer {server.client_key}"},
        )

    last_week = read("2030-01-06T23:59:59.999Z").json()["data"]
    again = read(last_week["period"]).json()["data"]
    current = read("current").json()["data"]

    assert (last_week["period"], _scores(last_week)) == ("2029-12-31T00:00:00.000Z", [(1, 40)])
    assert again == last_week
    assert (current["period"], _scores(current)) == ("2030-01-07T00:00:00.000Z", [(1, 5)])
    refused = read("last week")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "validation_failed"
