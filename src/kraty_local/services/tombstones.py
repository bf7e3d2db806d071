"""Tombstones: what an external id used to name after its row was erased or merged away.

Erasure and merge replace the row's external id with a placeholder, which frees the id for
re-registration. To still answer "already erased" or "already merged" for the original id, each
of them records a tombstone: the game, a SHA-256 digest of the original id (the id itself is not
kept, it is the personal data being erased), the anonymized row and the kind. An id can collect
several tombstones (erased, re-registered by a later write, erased again); lookups read the
newest first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import Row, select

from kraty_local.services.context import OpContext
from kraty_local.store.schema import player_tombstones, players

TombstoneKind = Literal["erased", "merged"]


def _digest(external_player_id: str) -> str:
    return hashlib.sha256(external_player_id.encode()).hexdigest()


def bury(ctx: OpContext, external_player_id: str, player_id: str, kind: TombstoneKind) -> None:
    """Record that ``player_id`` gave up ``external_player_id`` (erased or merged away)."""
    ctx.conn.execute(
        player_tombstones.insert().values(
            game_id=ctx.game.id,
            external_id_sha256=_digest(external_player_id),
            player_id=player_id,
            kind=kind,
            created_at=ctx.now,
        )
    )


def buried(ctx: OpContext, external_player_id: str, kind: TombstoneKind) -> Sequence[Row[Any]]:
    """The anonymized rows that once had this id, newest first, with ``buried_at``."""
    return ctx.conn.execute(
        select(players, player_tombstones.c.created_at.label("buried_at"))
        .join(players, players.c.id == player_tombstones.c.player_id)
        .where(
            player_tombstones.c.game_id == ctx.game.id,
            player_tombstones.c.external_id_sha256 == _digest(external_player_id),
            player_tombstones.c.kind == kind,
        )
        .order_by(player_tombstones.c.id.desc())
    ).all()
