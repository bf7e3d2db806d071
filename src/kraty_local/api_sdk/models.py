"""Request bodies of ``/sdk/v1`` (strict, like every body: unknown fields are errors)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from kraty_local.api.models import Amount, IdempotentBody
from kraty_local.api.strings import ExternalPlayerId, JsonObject, Key, Text


class RegisterIn(IdempotentBody):
    """Body of ``POST /players/{p}/register`` (its key is checked, never replayed)."""


class KeyOnlyIn(IdempotentBody):
    """A body holding only its ``idempotencyKey`` (claim, open, accept, decline)."""


class StartIn(IdempotentBody):
    """Body of ``POST /players/{p}/events/{e}/start`` (Kraty Local checks ``playerContext``
    but has no use for it: it matches no segments)."""

    playerContext: JsonObject | None = None


class DebitIn(IdempotentBody):
    """Body of ``POST /players/{p}/wallet/{economyKey}/debit``."""

    amount: Amount
    reason: Text | None = None


class ConsumeIn(IdempotentBody):
    """Body of ``POST /players/{p}/inventory/{itemKey}/consume``."""

    quantity: Amount
    reason: Text | None = None


def _display_name(value: str) -> str:
    trimmed = value.strip()
    if not 1 <= len(trimmed) <= MAX_NAME:
        raise ValueError(f"must be 1 to {MAX_NAME} characters after trimming")
    return trimmed


#: [Local model] A display name the player sets: 1 to 32 characters once trimmed.
MAX_NAME = 32
MAX_AVATAR = 512
PlayerName = Annotated[Text, AfterValidator(_display_name)]
Avatar = Annotated[Text, Field(max_length=MAX_AVATAR)]


class OwnIdentityIn(IdempotentBody):
    """Body of ``PUT /players/{p}/identity``."""

    name: PlayerName
    avatar: Avatar | None = None


class PresenceIn(IdempotentBody):
    """Body of ``POST /players/{p}/presence``: ``status`` omitted keeps it, ``null`` clears it."""

    status: Text | None = None

    @property
    def changes_status(self) -> bool:
        """Whether the body sets ``status`` (``null`` included) rather than keeping it."""
        return "status" in self.model_fields_set

    def fingerprint_fields(self) -> dict[str, Any]:
        """As for every body, but ``status: null`` stays in: clearing the status is another
        request than keeping it, so one key cannot be reused across the two."""
        fields = super().fingerprint_fields()
        if self.changes_status:
            fields["status"] = self.status
        return fields


class FriendTargetIn(IdempotentBody):
    """``{friendCode}`` xor ``{externalPlayerId}``: whom to befriend or block."""

    friendCode: Key | None = None
    externalPlayerId: ExternalPlayerId | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> FriendTargetIn:
        if (self.friendCode is None) == (self.externalPlayerId is None):
            raise ValueError("give exactly one of friendCode and externalPlayerId")
        return self
