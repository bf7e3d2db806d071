"""Player lookup and the implicit creation every server write performs.

Only live rows answer to an external id: an erased or merged-away row keeps its anonymized
placeholder (``__deleted_<uuid>__``, ``__merged_<uuid>__``) but is never found by it, so writes
naming a placeholder get ``404`` instead of touching the anonymized row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, bindparam, select

from kraty_local.domain.errors import NotFound
from kraty_local.services.context import OpContext, new_id
from kraty_local.store.queries import insert_ignore
from kraty_local.store.schema import players

#: How a write locks its player's row: ``"share"`` (writes of other rows, which only need the
#: player to stay as it is) or ``"update"`` (writes of the row itself).
RowLock = Literal["share", "update"]


@dataclass(frozen=True)
class PlayerRef:
    """A player row's internal and external ids."""

    id: str
    external_player_id: str


def _live(ctx: OpContext, external_player_id: str) -> list[ColumnElement[bool]]:
    """WHERE clauses selecting the live (not erased, not merged-away) player with that id."""
    return [
        players.c.game_id == ctx.game.id,
        players.c.external_player_id == external_player_id,
        players.c.deleted_at.is_(None),
        players.c.merged_into_id.is_(None),
    ]


_FIND_LIVE = (
    select(players.c.id, players.c.external_player_id)
    .where(
        players.c.game_id == bindparam("game_id"),
        players.c.external_player_id == bindparam("external_player_id"),
        players.c.deleted_at.is_(None),
        players.c.merged_into_id.is_(None),
    )
    .with_for_update(read=True)
)


def find_player(ctx: OpContext, external_player_id: str) -> PlayerRef | None:
    """The live player of this game with that external id, if any, share-locked for the write.

    The share lock (PostgreSQL ``FOR SHARE``; SQLite writers are serialized anyway) makes a
    write wait for a merge or erasure retiring that player (they lock it exclusively), and
    makes those wait for writes already under way. A write that waited finds the row no longer
    live and goes on as if the player did not exist (so it never lands on the retired row).
    """
    params = {"game_id": ctx.game.id, "external_player_id": external_player_id}
    row = ctx.conn.execute(_FIND_LIVE, params).first()
    return None if row is None else PlayerRef(row[0], row[1])


def find_player_row(
    ctx: OpContext, external_player_id: str, *, lock: bool = False, share: bool = False
) -> Row[Any] | None:
    """The live player's whole row (locked for update when ``lock``, else share-locked when
    ``share``: PostgreSQL ``FOR SHARE``), if any."""
    query = select(players).where(*_live(ctx, external_player_id))
    if lock or share:
        query = query.with_for_update(read=not lock)
    return ctx.conn.execute(query).first()


def require_player_row(
    ctx: OpContext, external_player_id: str, *, lock: bool = False, share: bool = False
) -> Row[Any]:
    """:func:`find_player_row`, or ``404 not_found``."""
    row = find_player_row(ctx, external_player_id, lock=lock, share=share)
    if row is None:
        raise _unknown(external_player_id)
    return row


def require_player(ctx: OpContext, external_player_id: str) -> PlayerRef:
    """:func:`find_player`, or ``404 not_found``."""
    player = find_player(ctx, external_player_id)
    if player is None:
        raise _unknown(external_player_id)
    return player


def new_player_row(ctx: OpContext, external_player_id: str) -> dict[str, Any]:
    """The ``players`` row of a player created now: every path that creates one uses it."""
    return {"id": new_id(), "external_player_id": external_player_id, **new_player_shared(ctx)}


def new_player_shared(ctx: OpContext) -> dict[str, Any]:
    """What every player created by ``ctx`` shares: all of :func:`new_player_row` but its two
    ids (bulk paths insert these once per batch)."""
    return {
        "studio_id": ctx.game.studio_id,
        "game_id": ctx.game.id,
        "created_at": ctx.now,
        "updated_at": ctx.now,
        "first_seen_at": ctx.now,
        "last_seen_at": ctx.now,
        "registered_at": ctx.now,
    }


def ensure_player(ctx: OpContext, external_player_id: str) -> PlayerRef:
    """The player, created (with a ``player.registered`` event) when it does not exist yet."""
    player = find_player(ctx, external_player_id)
    if player is not None:
        return player
    row = new_player_row(ctx, external_player_id)
    player_id = row["id"]
    inserted = insert_ignore(ctx.conn, players, row, ["game_id", "external_player_id"])
    if inserted:
        ctx.emit(
            "player.registered", {"playerId": player_id, "externalPlayerId": external_player_id}
        )
        ctx.audit("player.registered", player_id, {"externalPlayerId": external_player_id})
    return require_player(ctx, external_player_id)


def _unknown(external_player_id: str) -> NotFound:
    return NotFound(f"Unknown player {external_player_id!r}.")
