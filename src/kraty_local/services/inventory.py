"""Inventory grant and revoke (contract section 4, Inventory)."""

from __future__ import annotations

from kraty_local.services.context import OpContext
from kraty_local.services.holdings import INVENTORY, adjust_via_api
from kraty_local.wire import InventoryChange


def grant(
    ctx: OpContext,
    external_player_id: str,
    item_key: str,
    quantity: int,
    *,
    reason: str | None,
    source_ref_id: str | None,
) -> InventoryChange:
    """Add ``quantity`` of an item (creating the player if needed)."""
    total = adjust_via_api(
        ctx,
        INVENTORY,
        external_player_id,
        item_key,
        quantity,
        action="inventory.grant",
        reason=reason,
        source_ref_id=source_ref_id,
    )
    return {"itemKey": item_key, "quantity": total, "applied": True}


def revoke(
    ctx: OpContext,
    external_player_id: str,
    item_key: str,
    quantity: int,
    *,
    reason: str | None,
    source_ref_id: str | None,
) -> InventoryChange:
    """Remove ``quantity`` of an item; ``409 conflict`` when the player holds fewer."""
    total = adjust_via_api(
        ctx,
        INVENTORY,
        external_player_id,
        item_key,
        -quantity,
        action="inventory.revoke",
        reason=reason,
        source_ref_id=source_ref_id,
    )
    return {"itemKey": item_key, "quantity": total, "applied": True}
