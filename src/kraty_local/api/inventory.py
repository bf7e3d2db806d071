"""Inventory routes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from kraty_local.api.deps import PlayerCall
from kraty_local.api.models import Envelope, InventoryChangeIn
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.services import inventory
from kraty_local.wire import InventoryChange

router = APIRouter(tags=["inventory"])
_PATH = PLAYER_PATH + "/inventory/{item_key:segment}"


@router.post(f"{_PATH}/grant", response_model=Envelope[InventoryChange])
def grant(player_id: str, item_key: str, body: InventoryChangeIn, call: PlayerCall) -> JSONResponse:
    """Grant items; idempotent on ``idempotencyKey``."""
    return call.idempotent(
        body,
        lambda ctx: inventory.grant(
            ctx,
            player_id,
            item_key,
            body.quantity,
            reason=body.reason,
            source_ref_id=body.sourceRefId,
        ),
    )


@router.post(f"{_PATH}/revoke", response_model=Envelope[InventoryChange])
def revoke(
    player_id: str, item_key: str, body: InventoryChangeIn, call: PlayerCall
) -> JSONResponse:
    """Revoke items; ``409 conflict`` below zero."""
    return call.idempotent(
        body,
        lambda ctx: inventory.revoke(
            ctx,
            player_id,
            item_key,
            body.quantity,
            reason=body.reason,
            source_ref_id=body.sourceRefId,
        ),
    )
