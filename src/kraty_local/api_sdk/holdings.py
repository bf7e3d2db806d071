"""The player's wallet and inventory: reads, debit and consume (no client credit exists).

Debit and consume go through the same service as the server's debit and revoke (same ledgers,
outbox events and idempotency), with ``sourceKind: "client"`` on their ledger rows.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from kraty_local.api.deps import data_response
from kraty_local.api.holdings import change
from kraty_local.api.models import Envelope
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.api.strings import KeyPath, PlayerIdPath
from kraty_local.api_sdk.deps import PlayerRead, PlayerWrite
from kraty_local.api_sdk.models import ConsumeIn, DebitIn
from kraty_local.api_sdk.wire import InventoryList, WalletList
from kraty_local.services import inbox
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


async def _take(
    call: PlayerWrite,
    body: DebitIn | ConsumeIn,
    kind: HoldingKind,
    player_id: str,
    key: str,
    units: int,
    action: str,
) -> Response:
    """The debit or consume, answered in the route's documented shape (``data_response``)."""
    work = partial(change, call, kind, action, player_id, key, -units, body, reason=body.reason)
    return await data_response(partial(work, source_ref_id=None, source_kind=CLIENT_SOURCE))


@router.post(
    f"{PLAYER_PATH}/wallet/{{economy_key:segment}}/debit",
    response_model=Envelope[WalletChange],
    tags=["sdk: wallet"],
)
async def debit(
    player_id: PlayerIdPath,
    economy_key: Annotated[KeyPath, Path()],
    body: DebitIn,
    call: PlayerWrite,
) -> Response:
    """Spend currency; ``409 conflict`` when the balance is short."""
    action = "wallet.client_debit"
    return await _take(call, body, WALLET, player_id, economy_key, body.amount, action)


@router.post(
    f"{PLAYER_PATH}/inventory/{{item_key:segment}}/consume",
    response_model=Envelope[InventoryChange],
    tags=["sdk: inventory"],
)
async def consume(
    player_id: PlayerIdPath,
    item_key: Annotated[KeyPath, Path()],
    body: ConsumeIn,
    call: PlayerWrite,
) -> Response:
    """Use up items; ``409 conflict`` when the quantity is short."""
    action = "inventory.client_consume"
    return await _take(call, body, INVENTORY, player_id, item_key, body.quantity, action)
