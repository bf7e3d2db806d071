"""Push lobbies through the SDK: the product page's example, idempotency on ``key``, errors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kraty_admin import KratyServerError
from kraty_admin.testing import KratyLocal
from kraty_local.store.schema import lobbies, webhook_outbox


def test_product_page_example(kraty: KratyLocal) -> None:
    lobby = kraty.client.lobbies.push(
        "game_1",
        "quick_brawl",
        key="matchmaker_lobby_123",  # idempotency key
        external_player_ids=["alice", "bob", "carol"],
        capacity=4,
        fill_bots=False,
    )
    read = kraty.client.lobbies.read("game_1", lobby["id"])

    assert (lobby["status"], lobby["capacity"], lobby["participantCount"]) == ("forming", 4, 3)
    assert lobby["botSlots"] == 0
    assert read["participants"] == [
        {"externalPlayerId": "alice"},
        {"externalPlayerId": "bob"},
        {"externalPlayerId": "carol"},
    ]
    assert {k: v for k, v in read.items() if k != "participants"} == lobby


def test_pushing_the_same_key_again_returns_the_same_lobby(kraty: KratyLocal) -> None:
    players = ["alice", "bob"]
    first = kraty.client.lobbies.push("game_1", "quick_brawl", "mm_9", players, capacity=2)
    again = kraty.client.lobbies.push("game_1", "quick_brawl", "mm_9", players[::-1], capacity=2)

    assert again == first
    with kraty.server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(lobbies)).scalar_one() == 1
        created = select(func.count()).where(webhook_outbox.c.event_name == "lobby.created")
        assert conn.execute(created).scalar_one() == 1


def test_same_key_with_other_players_is_refused(kraty: KratyLocal) -> None:
    kraty.client.lobbies.push("game_1", "quick_brawl", "mm_9", ["alice", "bob"])

    with pytest.raises(KratyServerError) as caught:
        kraty.client.lobbies.push("game_1", "quick_brawl", "mm_9", ["alice", "eve"])

    assert caught.value.is_idempotency_conflict
    assert caught.value.details["differingFields"] == ["externalPlayerIds"]


@pytest.mark.parametrize(
    ("game", "event", "players", "status", "code"),
    [
        ("game_1", "weekly_race", ["a"], 409, "conflict"),
        ("game_1", "nope", ["a"], 404, "not_found"),
        ("game_1", "quick_brawl", ["a", "b", "c", "d", "e"], 400, "validation_failed"),
        ("game_2", "quick_brawl", ["a"], 403, "forbidden"),
        ("game_3", "quick_brawl", ["a"], 403, "tenant_mismatch"),
    ],
)
def test_refused_pushes(
    kraty: KratyLocal, game: str, event: str, players: list[str], status: int, code: str
) -> None:
    with pytest.raises(KratyServerError) as caught:
        kraty.client.lobbies.push(game, event, "mm_1", players)

    assert (caught.value.status, caught.value.code) == (status, code)


def test_reading_an_unknown_lobby_is_not_found(kraty: KratyLocal) -> None:
    with pytest.raises(KratyServerError) as caught:
        kraty.client.lobbies.read("game_1", "no/such lobby")

    assert caught.value.is_not_found
