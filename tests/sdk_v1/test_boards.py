"""``GET /sdk/v1/leaderboards/{key}``: the scores the backend submitted, as the game reads them."""

from __future__ import annotations

import pytest

from kraty_admin import KratyServerError
from tests._http import http_lib
from tests.conformance.client_reference import CLIENT_TYPES
from tests.conformance.schema import validate

from .conftest import PlayerFactory


def _score(
    client: http_lib.Client, player: str, value: float, board: str = "speedrun_board"
) -> None:
    body = {"externalPlayerId": player, "value": value, "idempotencyKey": f"{player}-{value}"}
    assert client.post(f"/leaderboards/{board}/score", json=body).status_code == 200


def test_the_game_reads_ranks_with_ties_and_its_own_standing(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    game = player_of("p2")
    game.set_identity("Speedy")
    for player, seconds in (("p1", 30.5), ("p2", 42), ("p3", 42), ("p4", 50)):
        _score(client, player, seconds)
    board = game.leaderboard("speedrun_board", include_self=True)
    assert validate(board, "Leaderboard", CLIENT_TYPES) == []
    assert [(e["rank"], e["score"], e["isSelf"]) for e in board["entries"]] == [
        (1, 30.5, False),
        (2, 42, True),
        (2, 42, False),
        (4, 50, False),
    ]
    assert board["entries"][1]["name"] == "Speedy"
    assert board["self"] == {"rank": 2, "score": 42}
    top = game.leaderboard("speedrun_board", limit=1)
    assert len(top["entries"]) == 1
    assert top["self"] is None
    assert game.leaderboard("weekly_race_board", include_self=True)["self"] is None

    with pytest.raises(KratyServerError) as unknown:
        game.leaderboard("no_such_board")
    assert unknown.value.is_not_found
