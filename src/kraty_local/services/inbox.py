"""Reads of the player's own game client: the pending grants inbox and the holdings lists."""

from __future__ import annotations

from sqlalchemy import select

from kraty_local.services import player_views
from kraty_local.services.context import OpContext
from kraty_local.services.grants import grant_view
from kraty_local.services.players import find_player_row
from kraty_local.store.schema import grants
from kraty_local.wire import Grant
from kraty_local.wire_players import InventoryHolding, WalletHolding

DEFAULT_PENDING = 50
MAX_PENDING = 100


def pending(ctx: OpContext, external_player_id: str, limit: int) -> list[Grant]:
    """Up to ``limit`` grants still claimable (pending and not expired), oldest first; ``[]``
    for an unknown player."""
    row = find_player_row(ctx, external_player_id)
    if row is None:
        return []
    expiry = grants.c.expires_at
    rows = ctx.conn.execute(
        select(grants)
        .where(
            grants.c.player_id == row.id,
            grants.c.status == "pending",
            expiry.is_(None) | (expiry > ctx.now),
        )
        .order_by(grants.c.created_at, grants.c.id)
        .limit(limit)
    )
    return [grant_view(ctx, r) for r in rows]


def wallet(ctx: OpContext, external_player_id: str) -> list[WalletHolding]:
    """Every wallet holding of the player, by key."""
    return player_views.snapshot(ctx, external_player_id)["wallet"]


def items(ctx: OpContext, external_player_id: str) -> list[InventoryHolding]:
    """Every inventory holding of the player, by key."""
    return player_views.snapshot(ctx, external_player_id)["inventory"]
