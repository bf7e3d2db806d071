"""Soft bans and the synthetic identity of a player.

A ban needs an existing player (``404`` otherwise): banning an id nobody has used would register
a player just to flag it, which is more likely a typo than an intent. Banning is a flag, not a
lock-out for the server API: server writes keep working for banned players. A re-ban refreshes
the reason, keeps the original ``bannedAt`` and answers ``applied: false`` without a second
``player.banned`` event; an unban of a player who is not banned answers ``applied: false`` with
``unbannedAt: null`` and emits nothing. Every call leaves an audit row naming the caller.
"""

from __future__ import annotations

from kraty_local.services.context import OpContext
from kraty_local.services.players import ensure_player, require_player_row
from kraty_local.store.schema import players
from kraty_local.timefmt import iso
from kraty_local.wire_players import BanResult, IdentityResult, UnbanResult


def ban(ctx: OpContext, external_player_id: str, reason: str | None) -> BanResult:
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
        "unbannedAt": iso(ctx.now) if applied else None,
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
    """Replace the player's display name and avatar (the player is created if missing)."""
    player = ensure_player(ctx, external_player_id)
    ctx.conn.execute(
        players.update()
        .where(players.c.id == player.id)
        .values(synthetic_name=name, synthetic_avatar=avatar, updated_at=ctx.now)
    )
    # The audit row says who changed the identity, not to what: the name is personal data that
    # an erasure clears from the player row and should not find again in the audit trail.
    ctx.audit("player.identity", player.id, {"avatarSet": avatar is not None})
    return {
        "externalPlayerId": player.external_player_id,
        "syntheticIdentity": {"name": name, "avatar": avatar},
    }
