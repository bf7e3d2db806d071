"""``GET /sdk/v1/event-leaderboards/{leaderboardId}``: the boards attempts rank on, read by the
game."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kraty_admin import KratyServerError
from kraty_local.clock import FakeClock
from kraty_local.testing import PlayerClient
from tests._http import http_lib
from tests.conformance.client_reference import CLIENT_TYPES
from tests.conformance.schema import validate

from .conftest import PlayerFactory


def _scores(game: PlayerClient, *values: float) -> str:
    """One attempt per value; the board id they rank on."""
    for value in values:
        attempt = game.start("weekly_race")["attempt"]
        game.progress("weekly_race", attempt["id"], metric_value=value)
    return str(attempt["leaderboardId"])


def test_best_attempt_per_player_ranked_with_ties_and_the_callers_standing(
    player_of: PlayerFactory, clock: FakeClock
) -> None:
    p1, p2, p3 = player_of("p1"), player_of("p2"), player_of("p3")
    board_id = _scores(p1, 100, 300)
    assert _scores(p2, 300) == _scores(p3, 50) == board_id
    board = p3.event_leaderboard(board_id, include_self=True)
    assert validate(board, "EventLeaderboard", CLIENT_TYPES) == []
    assert (board["leaderboardId"], board["mode"], board["finalized"]) == (
        board_id,
        "global",
        False,
    )
    assert [(e["rank"], e["score"], e["isSelf"]) for e in board["entries"]] == [
        (1, 300, False),
        (1, 300, False),
        (3, 50, True),
    ]
    assert board["self"] == {"rank": 3, "score": 50}
    top = p1.event_leaderboard(board_id, limit=1, include_self=True)
    assert len(top["entries"]) == 1
    assert top["self"] == {"rank": 1, "score": 300}
    assert player_of("p4").event_leaderboard(board_id, include_self=True)["self"] is None

    clock.advance(timedelta(days=365 * 100))
    assert p1.event_leaderboard(board_id)["finalized"] is True


def test_a_lobby_board_ranks_its_members_attempts(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    body = {"key": "mm", "externalPlayerIds": ["p1", "p2"], "idempotencyKey": "l"}
    lobby = client.post("/games/game_1/events/quick_brawl/lobbies", json=body).json()["data"]
    game = player_of("p1")
    attempt = game.start("quick_brawl")["attempt"]
    game.progress("quick_brawl", attempt["id"], metric_value=7)
    board = game.event_leaderboard(lobby["leaderboardId"])
    assert attempt["leaderboardId"] == lobby["leaderboardId"]
    assert board["mode"] == "lobby_matched"
    assert [(e["rank"], e["score"]) for e in board["entries"]] == [(1, 7)]


@pytest.mark.parametrize(
    "board_id", ["event:weekly_race:no_such_window", "event:nope:w1", "lobby:nope", "weekly_race"]
)
def test_unknown_boards_are_not_found(player_of: PlayerFactory, board_id: str) -> None:
    with pytest.raises(KratyServerError) as unknown:
        player_of("p1").event_leaderboard(board_id)
    assert unknown.value.is_not_found


def test_a_current_window_board_reads_empty_and_include_self_needs_external_id(
    player_of: PlayerFactory,
) -> None:
    game = player_of("p1")
    board_id = next(e["leaderboardId"] for e in game.events() if e["eventKey"] == "weekly_race")
    assert game.event_leaderboard(board_id, include_self=True)["entries"] == []
    refused = game._http.get(f"/event-leaderboards/{board_id}", params={"includeSelf": "true"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "validation_failed"
