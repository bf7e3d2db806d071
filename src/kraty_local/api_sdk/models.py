"""Request bodies of ``/sdk/v1`` (strict, like every body: unknown fields are errors)."""

from __future__ import annotations

from kraty_local.api.models import Amount, IdempotentBody
from kraty_local.api.strings import Text


class RegisterIn(IdempotentBody):
    """Body of ``POST /players/{p}/register`` (its key is checked, never replayed)."""


class ClaimIn(IdempotentBody):
    """Body of a grant claim or a crate open."""


class DebitIn(IdempotentBody):
    """Body of ``POST /players/{p}/wallet/{economyKey}/debit``."""

    amount: Amount
    reason: Text | None = None


class ConsumeIn(IdempotentBody):
    """Body of ``POST /players/{p}/inventory/{itemKey}/consume``."""

    quantity: Amount
    reason: Text | None = None
