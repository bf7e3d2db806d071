"""Wallet routes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from kraty_local.api.deps import PlayerCall
from kraty_local.api.models import Envelope, WalletChangeIn
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.services import wallet
from kraty_local.wire import WalletChange

router = APIRouter(tags=["wallet"])
_PATH = PLAYER_PATH + "/wallet/{economy_key:segment}"


@router.post(f"{_PATH}/credit", response_model=Envelope[WalletChange])
def credit(
    player_id: str, economy_key: str, body: WalletChangeIn, call: PlayerCall
) -> JSONResponse:
    """Credit a currency (mint); idempotent on ``idempotencyKey``."""
    return call.idempotent(
        body,
        lambda ctx: wallet.credit(
            ctx,
            player_id,
            economy_key,
            body.amount,
            reason=body.reason,
            source_ref_id=body.sourceRefId,
        ),
    )


@router.post(f"{_PATH}/debit", response_model=Envelope[WalletChange])
def debit(player_id: str, economy_key: str, body: WalletChangeIn, call: PlayerCall) -> JSONResponse:
    """Debit a currency; ``409 conflict`` below zero."""
    return call.idempotent(
        body,
        lambda ctx: wallet.debit(
            ctx,
            player_id,
            economy_key,
            body.amount,
            reason=body.reason,
            source_ref_id=body.sourceRefId,
        ),
    )
