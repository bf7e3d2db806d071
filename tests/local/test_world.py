"""The world file, the default world, and the database settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

import kraty_local
from kraty_local.world import WorldError, default_world, hash_key, load_world, parse_world

EXAMPLE = Path(kraty_local.__file__).parent / "world.example.toml"


def test_example_world_file_loads() -> None:
    world = load_world(EXAMPLE)
    game = world.games["game_1"]

    assert world.default_game_id == "game_1"
    assert game.catalog.currencies == {"gold", "gems"}
    assert [e.key for e in game.catalog.crates["legendary_box"].loot] == ["gold", "gems", "sword"]
    assert game.events["quick_brawl"].leaderboard_mode == "lobby_matched"
    assert game.events["weekly_race"].enabled is True
    assert game.webhooks[0].secrets == ("whsec_change_me",)
    assert world.keys[0].prefix == "kl_ci"
    assert world.rate_limit.burst == 400
    assert len(world.webhook_retry_schedule) == 11
    season = game.leaderboards["season_points"]
    assert (season.scope, season.reset_cadence, season.score_aggregation) == (
        "studio",
        "monthly",
        "sum",
    )
    assert game.leaderboards["weekly_race_board"].reset_cadence == "weekly"


def test_default_world_has_the_fixtures_tests_rely_on() -> None:
    world = default_world()

    assert world.games["game_1"].catalog.items == {"starter_chest", "health_potion", "sword"}
    assert world.games["game_2"].studio_id == "studio_1"
    assert world.games["game_3"].studio_id == "studio_2"
    assert world.games["game_1"].events["quick_brawl"].capacity == 4
    assert world.games["game_1"].events["weekly_race"].leaderboard_mode == "global"


MINIMAL: dict[str, Any] = {"studios": [{"id": "s"}], "games": [{"id": "g", "studio": "s"}]}


def _board(**fields: Any) -> dict[str, Any]:
    """``MINIMAL`` with one leaderboard ``b`` declaring ``fields``."""
    return {"games": [{"id": "g", "studio": "s", "leaderboards": [{"key": "b", **fields}]}]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "blue"}, "unknown field"),
        ({"games": [{"id": "g", "studio": "nope"}]}, "unknown studio"),
        (
            {"games": [{"id": "g", "studio": "s", "currencies": ["x"], "items": ["x"]}]},
            "used twice",
        ),
        (
            {
                "games": [
                    {
                        "id": "g",
                        "studio": "s",
                        "crates": [{"key": "c", "loot": [{"type": "item", "itemKey": "ghost"}]}],
                    }
                ]
            },
            "unknown item",
        ),
        (
            {
                "games": [
                    {
                        "id": "g",
                        "studio": "s",
                        "events": [{"key": "e", "leaderboard_mode": "weird"}],
                    }
                ]
            },
            "leaderboard_mode",
        ),
        (_board(sort_order="up"), "leaderboard 'b': sort_order must be one of 'desc', 'asc'"),
        (_board(scope="world"), "leaderboard 'b': scope must be one of 'game', 'studio', not"),
        (
            _board(reset_cadence="daily"),
            "reset_cadence must be one of 'never', 'weekly', 'monthly'",
        ),
        (
            _board(score_aggregation="max"),
            "score_aggregation must be one of 'best', 'latest', 'sum'",
        ),
        (_board(scope=1), "leaderboard 'b': 'scope' has the wrong type"),
        (_board(period="x"), "leaderboard 'b': unknown field"),
        ({"keys": [{"key": "nodot", "studio": "s"}]}, "<prefix>.<secret>"),
        ({"rate_limit": {"burst": "many"}}, "wrong type"),
        ({"default_game": "h"}, "not a game"),
    ],
)
def test_bad_worlds_are_rejected_with_a_reason(change: dict[str, Any], message: str) -> None:
    with pytest.raises(WorldError, match=message):
        parse_world({**MINIMAL, **change})


def test_board_settings_default_to_game_scope_never_reset_best_score() -> None:
    board = parse_world({**MINIMAL, **_board()}).games["g"].leaderboards["b"]

    assert (board.scope, board.reset_cadence, board.score_aggregation) == ("game", "never", "best")
    assert (board.takes_scores, board.sort_order) == (True, "desc")


def _two_games(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    games = [
        {"id": game, "studio": "s", "leaderboards": [{"key": "b", **fields}]}
        for game, fields in (("g1", first), ("g2", second))
    ]
    return {"studios": [{"id": "s"}], "games": games}


@pytest.mark.parametrize(
    "second",
    [
        {"scope": "game"},
        {"scope": "studio", "reset_cadence": "monthly"},
        {"scope": "studio", "score_aggregation": "latest"},
        {"scope": "studio", "sort_order": "asc"},
    ],
)
def test_a_studio_board_is_declared_alike_by_every_game_of_the_studio(
    second: dict[str, Any],
) -> None:
    with pytest.raises(WorldError, match="'b' is studio-scoped: games 'g1' and 'g2' of studio"):
        parse_world(_two_games({"scope": "studio"}, second))


def test_boards_of_one_key_may_differ_between_game_scoped_games_and_studios() -> None:
    alike = parse_world(_two_games({"scope": "studio"}, {"scope": "studio"}))
    apart = parse_world(_two_games({"score_aggregation": "sum"}, {"sort_order": "asc"}))
    other_studio = parse_world(
        {
            "studios": [{"id": "s"}, {"id": "t"}],
            "games": [
                {"id": "g1", "studio": "s", "leaderboards": [{"key": "b", "scope": "studio"}]},
                {"id": "g2", "studio": "t", "leaderboards": [{"key": "b"}]},
            ],
        }
    )

    assert alike.games["g2"].leaderboards["b"].scope == "studio"
    assert apart.games["g1"].leaderboards["b"].score_aggregation == "sum"
    assert other_studio.games["g2"].leaderboards["b"].scope == "game"


def test_plaintext_keys_are_stored_hashed() -> None:
    world = parse_world({**MINIMAL, "keys": [{"key": "kp.s3cret", "studio": "s", "game": "g"}]})

    assert world.keys[0].prefix == "kp"
    assert world.keys[0].sha256 == hash_key("kp.s3cret")
    assert "s3cret" not in repr(world.keys[0])


def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
