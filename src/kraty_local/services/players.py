"""Player lookup and the implicit creation every server write performs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from kraty_local.errors import ApiError
from kraty_local.services.context import OpContext, new_id
from kraty_local.store.queries import insert_ignore
from kraty_local.store.schema import players


@dataclass(frozen=True)
class PlayerRef:
    """A player row's internal and external ids."""

    id: str
    external_player_id: str


def find_player(ctx: OpContext, external_player_id: str) -> PlayerRef | None:
    """The live player of this game with that external id, if any."""
    row = ctx.conn.execute(
        select(players.c.id, players.c.external_player_id).where(
            players.c.game_id == ctx.game.id,
            players.c.external_player_id == external_player_id,
        )
    ).first()
    return None if row is None else PlayerRef(row.id, row.external_player_id)


def require_player(ctx: OpContext, external_player_id: str) -> PlayerRef:
    """:func:`find_player`, or ``404 not_found``."""
    player = find_player(ctx, external_player_id)
    if player is None:
        raise ApiError(404, "not_found", f"Unknown player {external_player_id!r}.")
    return player


def ensure_player(ctx: OpContext, external_player_id: str) -> PlayerRef:
    """The player, created (with a ``player.registered`` event) when it does not exist yet."""
    player = find_player(ctx, external_player_id)
    if player is not None:
        return player
    player_id = new_id()
    inserted = insert_ignore(
        ctx.conn,
        players,
        {
            "id": player_id,
            "studio_id": ctx.game.studio_id,
            "game_id": ctx.game.id,
            "external_player_id": external_player_id,
            "created_at": ctx.now,
            "updated_at": ctx.now,
            "registered_at": ctx.now,
        },
        ["game_id", "external_player_id"],
    )
    if inserted:
        ctx.emit(
            "player.registered", {"playerId": player_id, "externalPlayerId": external_player_id}
        )
        ctx.audit("player.registered", player_id, {"externalPlayerId": external_player_id})
    return require_player(ctx, external_player_id)
