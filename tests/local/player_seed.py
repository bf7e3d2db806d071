"""Rows the player tests seed straight into the database (tables with no write API of their own)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine, Table, select

from kraty_local.services.board_rules import NEVER_RESET_PERIOD
from kraty_local.store.schema import (
    lobbies,
    lobby_members,
    players,
)

AT = datetime(2030, 1, 1, tzinfo=timezone.utc)
GAME = {"studio_id": "studio_1", "game_id": "game_1"}


def player_id(engine: Engine, external_id: str) -> str:
    """The row id of the player with this external id (live or not)."""
    with engine.connect() as conn:
        return str(
            conn.execute(
                select(players.c.id).where(players.c.external_player_id == external_id)
            ).scalar_one()
        )


def insert(engine: Engine, table: Table, *rows: dict[str, Any]) -> None:
    """Insert ``rows`` (one executemany)."""
    with engine.begin() as conn:
        conn.execute(table.insert(), list(rows))


def lobby(engine: Engine, *member_ids: str, ends_at: datetime | None = None) -> str:
    """A lobby of ``member_ids``; returns its id."""
    lobby_id = str(uuid4())
    insert(
        engine,
        lobbies,
        {
            **GAME,
            "id": lobby_id,
            "key": f"lobby-{lobby_id}",
            "event_key": "weekly_race",
            "event_window_id": "w1",
            "leaderboard_id": f"lobby:{lobby_id}",
            "mode": "lobby_matched",
            "status": "active",
            "capacity": 8,
            "fill_bots": False,
            "bot_slots": 0,
            "ends_at": ends_at,
            "created_at": AT,
            "updated_at": AT,
        },
    )
    if member_ids:
        insert(
            engine,
            lobby_members,
            *({"lobby_id": lobby_id, "player_id": m, "joined_at": AT} for m in member_ids),
        )
    return lobby_id


def attempt_row(owner: str, attempt_key: str, **changes: Any) -> dict[str, Any]:
    """An ``attempts`` row of ``owner`` (insert many with :func:`insert`)."""
    return {
        **GAME,
        "id": str(uuid4()),
        "player_id": owner,
        "event_key": "weekly_race",
        "attempt_key": attempt_key,
        "status": "in_progress",
        "metric_value": 10.0,
        "metrics": {"device": "personal-phone"},
        "milestones_fired": [],
        "started_at": AT,
        "created_at": AT,
        "updated_at": AT,
        **changes,
    }


def score_row(owner: str, board: str, score: float, segment: str = "") -> dict[str, Any]:
    """A ``leaderboard_entries`` row."""
    return {
        **GAME,
        "leaderboard_key": board,
        "segment": segment,
        "period_start": NEVER_RESET_PERIOD,
        "player_id": owner,
        "score": score,
        "created_at": AT,
        "updated_at": AT,
    }


def column_values(engine: Engine, column: Any, *where: Any) -> list[Any]:
    """``SELECT column WHERE ...`` as a sorted list."""
    with engine.connect() as conn:
        return sorted(conn.execute(select(column).where(*where)).scalars(), key=repr)
