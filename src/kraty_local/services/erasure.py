"""GDPR Article 17 erasure: ``POST /players/{p}/delete``.

The player row is anonymized in place: its external id becomes ``__deleted_<uuid>__``, its
context snapshot, synthetic identity, country and presence are cleared and ``deleted_at`` is
set. Grants, wallets, inventory and both ledgers are kept (audit requirements) and keep pointing
at that row. The cascade:

- attempts: kept, their free-form ``metrics`` cleared (``attemptsAnonymized`` counts them);
- lobby memberships: kept so lobby sizes stay true, now naming the placeholder
  (``lobbiesAnonymized`` counts them);
- leaderboard entries: deleted, so the player leaves every ranking (``leaderboardsScrubbed``);
- friends, friend requests and blocks, in both directions: deleted;
- audit rows: kept, with any detail value equal to the original id replaced by the placeholder.

A tombstone (see ``services.tombstones``) remembers the erasure, so a second delete of the same
id answers ``no_op_already_erased`` (with the first erasure's ``deletedAt``); an id that never
named a player answers ``no_op_never_existed`` with ``deletedAt`` the time of the call. The
original id is free again afterwards: a later server write with it registers a new player, and a
delete then erases that one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, or_, select

from kraty_local.services import tombstones
from kraty_local.services.context import OpContext, new_id
from kraty_local.services.players import find_player_row
from kraty_local.store.schema import (
    attempts,
    audit_log,
    blocks,
    friend_requests,
    friends,
    leaderboard_entries,
    lobby_members,
    players,
)
from kraty_local.timefmt import iso
from kraty_local.wire_players import DeletionReason, PlayerDeletion

#: Each social table with its two player columns.
SOCIAL_LINKS = (
    (friends, "player_id", "friend_player_id"),
    (friend_requests, "from_player_id", "to_player_id"),
    (blocks, "player_id", "blocked_player_id"),
)


def delete(ctx: OpContext, external_player_id: str, reason: DeletionReason) -> PlayerDeletion:
    """Erase the live player with this id, or say why there was nothing to erase."""
    row = find_player_row(ctx, external_player_id, lock=True)
    if row is None:
        return _no_op(ctx, external_player_id)
    placeholder = f"__deleted_{new_id()}__"
    conn = ctx.conn
    attempts_anonymized = conn.execute(
        attempts.update()
        .where(attempts.c.player_id == row.id)
        .values(metrics=None, updated_at=ctx.now)
    ).rowcount
    lobbies_anonymized = conn.execute(
        select(func.count()).where(lobby_members.c.player_id == row.id)
    ).scalar_one()
    scrubbed = conn.execute(
        leaderboard_entries.delete().where(leaderboard_entries.c.player_id == row.id)
    ).rowcount
    for table, one, other in SOCIAL_LINKS:
        conn.execute(table.delete().where(or_(table.c[one] == row.id, table.c[other] == row.id)))
    _scrub_audit(ctx, row.id, external_player_id, placeholder)
    conn.execute(
        players.update()
        .where(players.c.id == row.id)
        .values(
            external_player_id=placeholder,
            last_context_snapshot=None,
            synthetic_name=None,
            synthetic_avatar=None,
            country=None,
            last_active_at=None,
            presence_status=None,
            deleted_at=ctx.now,
            updated_at=ctx.now,
        )
    )
    tombstones.bury(ctx, external_player_id, row.id, "erased")
    result: PlayerDeletion = {
        "playerId": row.id,
        "externalPlayerId": external_player_id,
        "anonymizedExternalId": placeholder,
        "deletedAt": iso(ctx.now),
        "attemptsAnonymized": attempts_anonymized,
        "lobbiesAnonymized": int(lobbies_anonymized),
        "leaderboardsScrubbed": scrubbed,
        "status": "erased",
    }
    ctx.emit("player.deleted", {**result, "reason": reason})
    ctx.audit(
        "player.erased",
        row.id,
        {"reason": reason, **{k: v for k, v in result.items() if k != "externalPlayerId"}},
    )
    return result


def _no_op(ctx: OpContext, external_player_id: str) -> PlayerDeletion:
    erased = tombstones.buried(ctx, external_player_id, "erased")
    latest: Row[Any] | None = erased[0] if erased else None
    return {
        "playerId": None if latest is None else latest.id,
        "externalPlayerId": external_player_id,
        "anonymizedExternalId": None if latest is None else latest.external_player_id,
        "deletedAt": iso(ctx.now if latest is None else latest.deleted_at),
        "attemptsAnonymized": 0,
        "lobbiesAnonymized": 0,
        "leaderboardsScrubbed": 0,
        "status": "no_op_never_existed" if latest is None else "no_op_already_erased",
    }


def _scrub_audit(ctx: OpContext, player_id: str, original: str, placeholder: str) -> None:
    """Replace the original external id wherever it is a top-level value of an audit detail."""
    rows = ctx.conn.execute(
        select(audit_log.c.id, audit_log.c.details).where(audit_log.c.player_id == player_id)
    ).all()
    for audit_id, details in rows:
        if isinstance(details, dict) and original in details.values():
            scrubbed = {k: placeholder if v == original else v for k, v in details.items()}
            ctx.conn.execute(
                audit_log.update().where(audit_log.c.id == audit_id).values(details=scrubbed)
            )
