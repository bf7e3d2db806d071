"""Presence heartbeats and the player's own identity, written by the game client (``/sdk/v1``).

``online`` means a heartbeat within :data:`~kraty_local.services.identities.ONLINE_WINDOW`;
a heartbeat without ``status`` keeps the previous one, ``status: null`` clears it. The friends
lists of both surfaces read the same columns, so what the game reports is what support sees.
"""

from __future__ import annotations

from typing import Any

from kraty_local.services import player_admin
from kraty_local.services.context import OpContext
from kraty_local.services.players import require_player_row
from kraty_local.services.registration import identities
from kraty_local.store.schema import players
from kraty_local.timefmt import iso

_KEEP = object()


def heartbeat(ctx: OpContext, external_player_id: str, status: Any = _KEEP) -> dict[str, Any]:
    """Record a heartbeat now; ``status`` (omitted: keep the previous one) as given."""
    row = require_player_row(ctx, external_player_id, lock=True)
    values: dict[str, Any] = {"last_active_at": ctx.now, "last_seen_at": ctx.now}
    if status is not _KEEP:
        values["presence_status"] = status
    ctx.conn.execute(players.update().where(players.c.id == row.id).values(**values))
    kept = row.presence_status if status is _KEEP else status
    return {"online": True, "lastActiveAt": iso(ctx.now), "status": kept}


def own_identity(ctx: OpContext, external_player_id: str) -> dict[str, Any]:
    """``{displayIdentity, anonymizedIdentity}`` of the player."""
    found = identities(require_player_row(ctx, external_player_id))
    return {k: found[k] for k in ("displayIdentity", "anonymizedIdentity")}


def set_own_identity(
    ctx: OpContext, external_player_id: str, name: str, avatar: str | None
) -> dict[str, Any]:
    """The player renames themselves (the server's ``set_identity``, answered as the client
    SDK reads it)."""
    result = player_admin.set_identity(ctx, external_player_id, name, avatar)
    return {k: result[k] for k in ("externalPlayerId", "displayIdentity", "anonymizedIdentity")}
