"""Soft bans and the identity of a player.

A ban needs an existing player (``404`` otherwise): banning an id nobody has used would register
a player just to flag it, which is more likely a typo than an intent. Banning is a flag, not a
lock-out for the server API: server writes keep working for banned players. A re-ban refreshes
the reason, keeps the original ``bannedAt`` and answers ``applied: false`` without a second
``player.banned`` event; an unban of a player who is not banned answers ``applied: false`` with
``unbannedAt`` the time of the call and emits nothing. Every call leaves an audit row naming the
caller.

Setting the identity also needs an existing player (``404``: contract section 9, the one server
write that does not create the player).
"""

from __future__ import annotations

from kraty_local.services.context import OpContext
from kraty_local.services.identities import (
    anonymized_identity,
    display_identity,
    synthetic_identity,
)
from kraty_local.services.players import require_player_row
from kraty_local.store.schema import players
from kraty_local.timefmt import iso
from kraty_local.wire_players import BanResult, IdentityResult, UnbanResult


def ban(ctx: OpContext, external_player_id: str, reason: str) -> BanResult:
    """Flag the player as banned (or refresh the reason of an existing ban)."""
    row = require_player_row(ctx, external_player_id, lock=True)
    applied = row.banned_at is None
    banned_at = ctx.now if applied else row.banned_at
    ctx.conn.execute(
        players.update()
        .where(players.c.id == row.id)
        .values(banned_at=banned_at, ban_reason=reason, updated_at=ctx.now)
    )
    result: BanResult = {
        "playerId": row.id,
        "externalPlayerId": row.external_player_id,
        "bannedAt": iso(banned_at),
        "reason": reason,
        "applied": applied,
    }
    if applied:
        ctx.emit("player.banned", {k: v for k, v in result.items() if k != "applied"})
    ctx.audit("player.ban", row.id, {"reason": reason, "applied": applied})
    return result


def unban(ctx: OpContext, external_player_id: str) -> UnbanResult:
    """Lift the player's ban, if there is one."""
    row = require_player_row(ctx, external_player_id, lock=True)
    applied = row.banned_at is not None
    result: UnbanResult = {
        "playerId": row.id,
        "externalPlayerId": row.external_player_id,
        "unbannedAt": iso(ctx.now),
        "applied": applied,
    }
    if applied:
        ctx.conn.execute(
            players.update()
            .where(players.c.id == row.id)
            .values(banned_at=None, ban_reason=None, updated_at=ctx.now)
        )
        ctx.emit("player.unbanned", {k: v for k, v in result.items() if k != "applied"})
    ctx.audit("player.unban", row.id, {"applied": applied, "previousReason": row.ban_reason})
    return result


def set_identity(
    ctx: OpContext, external_player_id: str, name: str, avatar: str | None
) -> IdentityResult:
    """Replace an existing player's display name and avatar; ``404`` for an unknown player."""
    row = require_player_row(ctx, external_player_id, lock=True)
    ctx.conn.execute(
        players.update()
        .where(players.c.id == row.id)
        .values(synthetic_name=name, synthetic_avatar=avatar, updated_at=ctx.now)
    )
    # The audit row says who changed the identity, not to what: the name is personal data that
    # an erasure clears from the player row and should not find again in the audit trail.
    ctx.audit("player.identity", row.id, {"avatarSet": avatar is not None})
    return {
        "externalPlayerId": row.external_player_id,
        "syntheticIdentity": synthetic_identity(name, avatar),
        "displayIdentity": display_identity(name, avatar, row.country),
        "anonymizedIdentity": anonymized_identity(row.id, row.country),
    }
