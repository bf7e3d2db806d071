"""A player's game-client state as support sees it: registration and presence.

Registration is the client secret (``/sdk/v1`` register): only its public prefix is ever read
here, never the secret or its digest. It is registered since the first ``player.client_register``
audit row (the players row keeps only the latest rotation). Presence is what the friends lists
show of a friend (:func:`~kraty_local.services.player_views.friend_view`), from the same columns.
"""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import select

from kraty_local.services.context import OpContext
from kraty_local.services.identities import is_online
from kraty_local.services.players import require_player_row
from kraty_local.services.registration import REGISTER_ACTION
from kraty_local.store.schema import audit_log
from kraty_local.timefmt import iso_or_none


class Registration(TypedDict):
    """Whether the player's game client holds a secret, since when, and the secret's prefix."""

    registered: bool
    registeredAt: str | None
    secretPrefix: str | None
    secretRotatedAt: str | None


class Presence(TypedDict):
    """``online`` (a heartbeat within the online window), the last heartbeat and the status."""

    online: bool
    lastActiveAt: str | None
    status: str | None


class ClientState(TypedDict):
    """Registration and presence of one player."""

    registration: Registration
    presence: Presence


def client_state(ctx: OpContext, external_player_id: str) -> ClientState:
    """The player's registration and presence (``404`` for an unknown player)."""
    row = require_player_row(ctx, external_player_id)
    registered = row.secret_sha256 is not None
    first = (
        ctx.conn.execute(
            select(audit_log.c.at)
            .where(audit_log.c.player_id == row.id, audit_log.c.action == REGISTER_ACTION)
            .order_by(audit_log.c.id)
            .limit(1)
        ).scalar_one_or_none()
        if registered
        else None
    )
    return {
        "registration": {
            "registered": registered,
            "registeredAt": iso_or_none(first),
            "secretPrefix": row.secret_prefix if registered else None,
            "secretRotatedAt": iso_or_none(row.secret_rotated_at),
        },
        "presence": {
            "online": is_online(row.last_active_at, ctx.now),
            "lastActiveAt": iso_or_none(row.last_active_at),
            "status": row.presence_status,
        },
    }
