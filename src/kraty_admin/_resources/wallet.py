"""``kraty.wallet``: credit and debit currencies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeVar

from kraty_admin._core import Call, compact, path
from kraty_admin._resources._endpoint import Resource, endpoint

if TYPE_CHECKING:
    from kraty_admin.types import WalletChange

S = TypeVar("S")


def _change(
    action: Literal["credit", "debit"],
    external_player_id: str,
    economy_key: str,
    amount: int,
    reason: str | None,
    source_ref_id: str | None,
    idempotency_key: str | None,
) -> Call[WalletChange]:
    body = compact(amount=amount, reason=reason, sourceRefId=source_ref_id)
    route = path("players", external_player_id, "wallet", economy_key, action)
    return Call.post(route, body, idempotency_key)


def _credit(
    external_player_id: str,
    economy_key: str,
    amount: int,
    *,
    reason: str | None = None,
    source_ref_id: str | None = None,
    idempotency_key: str | None = None,
) -> Call[WalletChange]:
    """Add ``amount`` of currency ``economy_key``; returns the new balance."""
    return _change(
        "credit", external_player_id, economy_key, amount, reason, source_ref_id, idempotency_key
    )


def _debit(
    external_player_id: str,
    economy_key: str,
    amount: int,
    *,
    reason: str | None = None,
    source_ref_id: str | None = None,
    idempotency_key: str | None = None,
) -> Call[WalletChange]:
    """Take ``amount`` of currency ``economy_key``; a 409 ``conflict`` if the balance is short."""
    return _change(
        "debit", external_player_id, economy_key, amount, reason, source_ref_id, idempotency_key
    )


class Wallet(Resource[S]):
    """Currency balances: ``credit`` and ``debit``."""

    credit = endpoint(_credit)
    debit = endpoint(_debit)
