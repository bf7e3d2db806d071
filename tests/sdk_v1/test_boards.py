"""``GET /sdk/v1/leaderboards/{key}``: the scores the backend submitted, as the game reads them."""

from __future__ import annotations

import pytest

from kraty_admin import KratyServerError
from tests._http import http_lib
from tests.conformance.schema import nul, opt, optnul, req, validate

from .conftest import PlayerFactory
from .test_client_types import CLIENT_TYPES

#: ``types.ts`` ``Leaderboard`` and ``LeaderboardEntry``.
BOARD_TYPES = {
    **CLIENT_TYPES,
    "Leaderboard": {
        "key": req("str"),
        "leaderboardId": req("str"),
        "scope": req("str", "game", "studio"),
        "resetCadence": req("str", "never", "weekly", "monthly"),
        "scoreAggregation": req("str", "best", "latest", "sum"),
        "segment": nul("str"),
        "period": req("iso"),
        "entries": req("list[LeaderboardEntry]"),
        "self": nul("SelfStanding"),
    },
    "SelfStanding": {"rank": req("int"), "score": req("number")},
    "LeaderboardEntry": {
        "participantId": req("str"),
        "kind": req("str", "player", "bot"),
        "name": nul("str"),
        "avatar": optnul("str"),
        "country": optnul("str"),
        "anonymizedName": optnul("str"),
        "anonymizedAvatar": optnul("str"),
        "score": req("number"),
        "rank": req("int"),
        "isSelf": req("bool"),
        "progression": opt("map[number]"),
    },
}


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
    assert validate(board, "Leaderboard", BOARD_TYPES) == []
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
