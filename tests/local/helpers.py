"""Helpers shared by the Kraty Local tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, Table, func, select

from kraty_local.store.schema import webhook_outbox
from kraty_local.world import Event, EventWindow, Leaderboard, ServerKey, World, default_world

#: Extra keys of the test world, beside the server's start-up key (game_1).
OTHER_GAME_KEY = "kt_game2.secret-game-2"
STUDIO_WIDE_KEY = "kt_studio.secret-studio"
OTHER_STUDIO_KEY = "kt_studio2.secret-studio-2"
CLIENT_KEY = "kt_client.secret-client"
_KEYS = [
    (OTHER_GAME_KEY, "studio_1", "game_2", "server_integration"),
    (STUDIO_WIDE_KEY, "studio_1", None, "server_integration"),
    (OTHER_STUDIO_KEY, "studio_2", "game_3", "server_integration"),
    (CLIENT_KEY, "studio_1", "game_1", "client"),
]


#: An event window that closed long ago.
PAST_WINDOW = EventWindow(
    "past_w", datetime(2020, 1, 1, tzinfo=timezone.utc), datetime(2021, 1, 1, tzinfo=timezone.utc)
)


def with_events(base: World, *events: Event) -> World:
    """``base`` with ``events`` added to game_1's."""
    game = base.games["game_1"]
    added = {**game.events, **{event.key: event for event in events}}
    return replace(base, games={**base.games, "game_1": replace(game, events=added)})


def with_boards(base: World, *boards: Leaderboard) -> World:
    """``base`` with ``boards`` added to every game's leaderboards."""
    added = {board.key: board for board in boards}
    games = {
        gid: replace(game, leaderboards={**game.leaderboards, **added})
        for gid, game in base.games.items()
    }
    return replace(base, games=games)


def make_world(**changes: Any) -> World:
    """The default world plus the test keys, with ``changes`` applied."""
    keys = tuple(
        ServerKey.from_plaintext(k, studio_id=s, game_id=g, permission_set=p)
        for k, s, g, p in _KEYS
    )
    return replace(default_world(), keys=keys, **changes)


def seg(value: str) -> str:
    """Percent-encode one path segment the way the SDK does."""
    return quote(value, safe="")


def count(engine: Engine, table: Table, *where: Any) -> int:
    """Rows of ``table`` matching ``where``."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def outbox_count(engine: Engine, event_name: str | None = None) -> int:
    """Outbox rows, optionally of one event name."""
    where = [] if event_name is None else [webhook_outbox.c.event_name == event_name]
    return count(engine, webhook_outbox, *where)
