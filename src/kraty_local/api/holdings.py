"""Wallet credit/debit and inventory grant/revoke: one route shape for both kinds of holding."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from kraty_local.api.deps import GameCall, PlayerCall, data_response
from kraty_local.api.models import (
    Envelope,
    HoldingChangeIn,
    IdempotentBody,
    InventoryChangeIn,
    WalletChangeIn,
)
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.api.strings import KeyPath, PlayerIdPath
from kraty_local.services import holdings
from kraty_local.services.holdings import INVENTORY, WALLET, HoldingKind
from kraty_local.wire import InventoryChange, WalletChange

router = APIRouter()


def change(
    call: GameCall,
    kind: HoldingKind,
    action: str,
    player_id: str,
    key: str,
    delta: int,
    body: IdempotentBody,
    response: Response,
    *,
    reason: str | None,
    source_ref_id: str | None,
    source_kind: str = "api",
) -> Any:
    """Run one holding change (``action`` is ``wallet.credit`` etc.) idempotently, as the API
    does; the console's grants and the game client's debits call it too."""
    return call.idempotent(
        body,
        lambda ctx: holdings.api_change(
            ctx,
            kind,
            player_id,
            key,
            delta,
            action=action,
            reason=reason,
            source_ref_id=source_ref_id,
            source_kind=source_kind,
        ),
        response,
    )


def _add_route(
    kind: HoldingKind,
    area: str,
    verb: str,
    sign: int,
    body_model: type[HoldingChangeIn],
    response_model: Any,
    summary: str,
) -> None:
    async def change_route(
        player_id: PlayerIdPath, key: KeyPath, body: HoldingChangeIn, call: PlayerCall
    ) -> Response:  # documented by response_model; the answer is already in its shape
        action = f"{area}.{verb}"
        work = partial(change, call, kind, action, player_id, key, sign * body.units, body)
        return await data_response(
            partial(work, reason=body.reason, source_ref_id=body.sourceRefId)
        )

    # FastAPI reads the live annotations: validate the concrete body model, and document the
    # path parameter under its real name (economy_key / item_key).
    change_route.__annotations__["body"] = body_model
    change_route.__annotations__["key"] = Annotated[KeyPath, Path(alias=kind.key_column)]
    router.add_api_route(
        f"{PLAYER_PATH}/{area}/{{{kind.key_column}:segment}}/{verb}",
        change_route,
        methods=["POST"],
        response_model=response_model,
        name=f"{area}_{verb}",
        operation_id=f"{area}_{verb}",
        summary=summary,
        tags=[area],
    )


_WALLET = Envelope[WalletChange]
_INVENTORY = Envelope[InventoryChange]
_add_route(WALLET, "wallet", "credit", 1, WalletChangeIn, _WALLET, "Credit a currency (mint).")
_add_route(WALLET, "wallet", "debit", -1, WalletChangeIn, _WALLET, "Debit; 409 below zero.")
_add_route(INVENTORY, "inventory", "grant", 1, InventoryChangeIn, _INVENTORY, "Grant items.")
_add_route(
    INVENTORY, "inventory", "revoke", -1, InventoryChangeIn, _INVENTORY, "Revoke; 409 below zero."
)
