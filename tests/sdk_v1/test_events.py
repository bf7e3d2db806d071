"""Event attempts started, reported and finished by the game."""

from __future__ import annotations

import pytest

from kraty_admin import KratyServerError
from tests._http import http_lib

from .conftest import PlayerFactory


def test_start_progress_finish_and_the_milestone_grant_claimed_by_the_game(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    game = player_of("p1")
    started = game.start("weekly_race", player_context={"level": 3})
    attempt = started["attempt"]
    assert started["leaderboardId"] == attempt["leaderboardId"]
    assert started["windowEndsAt"] == attempt["endsAt"]
    assert attempt["status"] == "in_progress"
    assert attempt["score"] == 0
    other = game.start("weekly_race")["attempt"]
    assert other["id"] != attempt["id"]  # the server mints each id

    reported = game.progress("weekly_race", attempt["id"], metric_value=150)
    assert [m["key"] for m in reported["milestonesFired"]] == ["bronze"]
    bronze = reported["milestonesFired"][0]["grants"][0]
    assert game.claim(bronze["id"])["status"] == "claimed"
    assert game.balance("gold") == 50
    finished = game.finish("weekly_race", attempt["id"])
    assert finished["outcome"] == "completed"
    assert finished["attempt"]["id"] == attempt["id"]
    exported = client.get("/players/p1/export").json()["data"]
    assert len(exported["attempts"]) == 2

    with pytest.raises(KratyServerError) as unknown:
        game.start("no_such_event")
    assert unknown.value.is_not_found


def test_banned_players_cannot_start_report_or_finish(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    game = player_of("p1")
    attempt_id = game.start("weekly_race")["attempt"]["id"]
    client.post("/players/p1/ban", json={"reason": "bot", "idempotencyKey": "b"})
    for write in (
        lambda: game.start("weekly_race"),
        lambda: game.progress("weekly_race", attempt_id, metric_value=1),
        lambda: game.finish("weekly_race", attempt_id),
    ):
        with pytest.raises(KratyServerError) as banned:
            write()
        assert banned.value.is_player_banned
