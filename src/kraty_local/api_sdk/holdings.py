"""The player's wallet and inventory: reads, debit and consume (no client credit exists).

Debit and consume go through the same service as the server's debit and revoke (same ledgers,
outbox events and idempotency), with ``sourceKind: "client"`` on their ledger rows.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from kraty_local.api.models import Envelope
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.api.strings import KeyPath, PlayerIdPath
from kraty_local.api_sdk.deps import PlayerRead, PlayerWrite
from kraty_local.api_sdk.models import ConsumeIn, DebitIn
from kraty_local.api_sdk.wire import InventoryList, WalletList
from kraty_local.services import holdings, inbox
from kraty_local.services.holdings import INVENTORY, WALLET, HoldingKind
from kraty_local.wire import InventoryChange, WalletChange

router = APIRouter()
CLIENT_SOURCE = "client"


@router.get(f"{PLAYER_PATH}/wallet", response_model=Envelope[WalletList], tags=["sdk: wallet"])
def wallet(player_id: PlayerIdPath, call: PlayerRead) -> Envelope[Any]:
    """Every currency balance of the player."""
    return Envelope(data={"wallet": call.read(lambda ctx: inbox.wallet(ctx, player_id))})


@router.get(
    f"{PLAYER_PATH}/inventory", response_model=Envelope[InventoryList], tags=["sdk: inventory"]
)
def inventory(player_id: PlayerIdPath, call: PlayerRead) -> Envelope[Any]:
    """Every item quantity of the player."""
    return Envelope(data={"items": call.read(lambda ctx: inbox.items(ctx, player_id))})


def _take(
    call: PlayerWrite,
    response: Response,
    body: DebitIn | ConsumeIn,
    kind: HoldingKind,
    player_id: str,
    key: str,
    units: int,
    action: str,
) -> Any:
    return call.idempotent(
        body,
        lambda ctx: holdings.api_change(
            ctx,
            kind,
            player_id,
            key,
            -units,
            action=action,
            reason=body.reason,
            source_ref_id=None,
            source_kind=CLIENT_SOURCE,
        ),
        response,
    )


@router.post(
    f"{PLAYER_PATH}/wallet/{{economy_key:segment}}/debit",
    response_model=Envelope[WalletChange],
    tags=["sdk: wallet"],
)
def debit(
    player_id: PlayerIdPath,
    economy_key: Annotated[KeyPath, Path()],
    body: DebitIn,
    call: PlayerWrite,
    response: Response,
) -> Envelope[Any]:
    """Spend currency; ``409 conflict`` when the balance is short."""
    return Envelope(
        data=_take(
            call, response, body, WALLET, player_id, economy_key, body.amount, "wallet.client_debit"
        )
    )


@router.post(
    f"{PLAYER_PATH}/inventory/{{item_key:segment}}/consume",
    response_model=Envelope[InventoryChange],
    tags=["sdk: inventory"],
)
def consume(
    player_id: PlayerIdPath,
    item_key: Annotated[KeyPath, Path()],
    body: ConsumeIn,
    call: PlayerWrite,
    response: Response,
) -> Envelope[Any]:
    """Use up items; ``409 conflict`` when the quantity is short."""
    return Envelope(
        data=_take(
            call,
            response,
            body,
            INVENTORY,
            player_id,
            item_key,
            body.quantity,
            "inventory.client_consume",
        )
    )
