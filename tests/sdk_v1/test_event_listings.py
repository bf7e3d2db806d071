"""``GET /sdk/v1/players/{p}/events``: the events whose current window the player can start."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kraty_admin import KratyServerError
from kraty_local.world import World
from tests._http import http_lib
from tests.local.helpers import PAST_WINDOW, make_world, with_events

from .conftest import PlayerFactory


@pytest.fixture
def world() -> World:
    """The test world plus a disabled event and one whose window is over."""
    base = make_world()
    race = base.games["game_1"].events["weekly_race"]
    off, over = replace(race, key="old_race", enabled=False), replace(race, key="past_race")
    return with_events(base, off, replace(over, window=PAST_WINDOW))


def test_only_running_enabled_events_are_listed_with_the_players_board_and_attempt(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    game = player_of("p1")
    listed = {e["eventKey"]: e for e in game.events()}
    assert sorted(listed) == ["quick_brawl", "weekly_race"]
    race = listed["weekly_race"]
    assert race["name"] == "weekly_race"
    assert race["leaderboardId"] == f"event:weekly_race:{race['windowId']}"
    assert race["currentAttemptId"] is None
    assert race["leaderboardMode"] == "global"
    assert listed["quick_brawl"]["milestoneRewards"] == []
    assert [(m["key"], m["metricKey"], m["threshold"]) for m in race["milestoneRewards"]] == [
        ("bronze", "score", 100),
        ("silver", "score", 500),
        ("gold", "score", 1000),
    ]
    assert race["milestoneRewards"][1]["entries"] == [
        {"type": "currency", "currencyKey": "gold", "amount": 200},
        {"type": "item", "itemKey": "health_potion", "quantity": 1},
    ]
    assert "rewardPolicy" not in race  # the world has no completion rewards to summarise

    attempt = game.start("weekly_race")["attempt"]
    assert {e["eventKey"]: e["currentAttemptId"] for e in game.events()} == {
        "quick_brawl": None,
        "weekly_race": attempt["id"],
    }
    game.finish("weekly_race", attempt["id"])
    assert all(e["currentAttemptId"] is None for e in game.events())

    body = {"key": "mm", "externalPlayerIds": ["p1", "p2"], "idempotencyKey": "l"}
    lobby = client.post("/games/game_1/events/quick_brawl/lobbies", json=body).json()["data"]
    brawl = next(e for e in game.events() if e["eventKey"] == "quick_brawl")
    assert brawl["leaderboardId"] == lobby["leaderboardId"] == f"lobby:{lobby['id']}"


def test_the_list_needs_the_players_secret_and_stays_readable_when_banned(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    game = player_of("p1")
    client.post("/players/p1/ban", json={"reason": "bot", "idempotencyKey": "b"})
    assert len(game.events()) == 2
    stranger = player_of("p9", register=False)
    with pytest.raises(KratyServerError) as refused:
        stranger.events()
    assert refused.value.status == 401
