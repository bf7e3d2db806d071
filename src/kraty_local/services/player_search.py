"""Finding live players of a game by the start of their external id (the console's lookup)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from kraty_local.services.context import OpContext
from kraty_local.store.schema import players
from kraty_local.timefmt import iso, iso_or_none

#: Most players one search lists.
SEARCH_LIMIT = 50


def by_prefix(ctx: OpContext, prefix: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Live players of the game whose external id starts with ``prefix`` (case-sensitive, on
    every engine), in id order."""
    rows = ctx.conn.execute(
        select(
            players.c.id,
            players.c.external_player_id,
            players.c.created_at,
            players.c.banned_at,
        )
        .where(
            players.c.game_id == ctx.game.id,
            # Not LIKE: SQLite's ignores ASCII case, PostgreSQL's does not.
            func.substr(players.c.external_player_id, 1, len(prefix)) == prefix,
            players.c.deleted_at.is_(None),
            players.c.merged_into_id.is_(None),
        )
        .order_by(players.c.external_player_id)
        .limit(limit)
    )
    return [
        {
            "id": row.id,
            "externalPlayerId": row.external_player_id,
            "createdAt": iso(row.created_at),
            "bannedAt": iso_or_none(row.banned_at),
        }
        for row in rows
    ]
