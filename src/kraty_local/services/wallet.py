"""Wallet credit and debit (contract section 4, Wallet)."""

from __future__ import annotations

from kraty_local.services.context import OpContext
from kraty_local.services.holdings import WALLET, adjust_via_api
from kraty_local.wire import WalletChange


def credit(
    ctx: OpContext,
    external_player_id: str,
    economy_key: str,
    amount: int,
    *,
    reason: str | None,
    source_ref_id: str | None,
) -> WalletChange:
    """Add ``amount`` to a player's balance (creating the player if needed)."""
    balance = adjust_via_api(
        ctx,
        WALLET,
        external_player_id,
        economy_key,
        amount,
        action="wallet.credit",
        reason=reason,
        source_ref_id=source_ref_id,
    )
    return {"economyKey": economy_key, "balance": balance, "applied": True}


def debit(
    ctx: OpContext,
    external_player_id: str,
    economy_key: str,
    amount: int,
    *,
    reason: str | None,
    source_ref_id: str | None,
) -> WalletChange:
    """Take ``amount`` from a player's balance; ``409 conflict`` when it is not there."""
    balance = adjust_via_api(
        ctx,
        WALLET,
        external_player_id,
        economy_key,
        -amount,
        action="wallet.debit",
        reason=reason,
        source_ref_id=source_ref_id,
    )
    return {"economyKey": economy_key, "balance": balance, "applied": True}
