"""Request bodies (strict: no coercion, no unknown fields) and response envelopes."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
)

from kraty_local.api.strings import IdempotencyKey, JsonObject, Key, Text
from kraty_local.wire import ErrorEnvelope

T = TypeVar("T")

MAX_INT64 = 2**63 - 1
#: Most crate units one entry may open (each unit is one loot roll).
MAX_CRATE_QUANTITY = 1000

Amount = Annotated[StrictInt, Field(ge=1, le=MAX_INT64)]


def _text_only(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 timestamp string")
    return value


def _assume_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


Timestamp = Annotated[datetime, BeforeValidator(_text_only), AfterValidator(_assume_utc)]


class Body(BaseModel):
    """Base of every request body: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class IdempotentBody(Body):
    """A body carrying the caller's ``idempotencyKey``."""

    idempotencyKey: IdempotencyKey

    def fingerprint_fields(self) -> dict[str, Any]:
        """What the idempotency fingerprint covers: the validated request minus
        ``idempotencyKey``, with defaults applied and optional fields sent as ``null`` left out.

        So a body that spells a default out (``"kind": "reward"``) or sends ``null`` for an
        optional field is the same request as one that leaves it out (contract section 9: the
        reference SDKs differ in exactly that). Values inside free-form objects such as
        ``metadata`` are kept as sent, ``null`` included.
        """
        return self.model_dump(mode="json", exclude_none=True, exclude={"idempotencyKey"})


class HoldingChangeIn(IdempotentBody):
    """What wallet and inventory changes share; ``units`` is the amount or quantity."""

    reason: Text | None = None
    sourceRefId: Text | None = None

    @property
    def units(self) -> int:
        """How much to add or take."""
        raise NotImplementedError


class WalletChangeIn(HoldingChangeIn):
    """Body of wallet credit/debit."""

    amount: Amount

    @property
    def units(self) -> int:
        """The amount."""
        return self.amount


class InventoryChangeIn(HoldingChangeIn):
    """Body of inventory grant/revoke."""

    quantity: Amount

    @property
    def units(self) -> int:
        """The quantity."""
        return self.quantity


class CurrencyEntry(Body):
    """A currency amount in a grant."""

    type: Literal["currency"]
    currencyKey: Key
    amount: Amount


class ItemEntry(Body):
    """An item quantity in a grant, with optional per-instance parameters."""

    type: Literal["item"]
    itemKey: Key
    quantity: Amount
    parameters: JsonObject | None = None


class CrateEntry(Body):
    """Crates in a grant; each becomes a pending child grant when the grant is claimed."""

    type: Literal["crate"]
    crateItemKey: Key
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_CRATE_QUANTITY)]


Entry = Annotated[CurrencyEntry | ItemEntry | CrateEntry, Field(discriminator="type")]


class GrantCreateIn(IdempotentBody):
    """Body of ``POST /players/{p}/grants``."""

    kind: Literal["reward", "crate"] = "reward"
    entries: Annotated[list[Entry], Field(min_length=1, max_length=100)]
    expiresAt: Timestamp | None = None
    sourceKind: Literal["api", "admin"] = "api"
    sourceRefId: Text | None = None
    metadata: JsonObject | None = None


class GrantAckIn(IdempotentBody):
    """Body of ``POST /players/{p}/grants/{grantId}/ack``."""


class Envelope(BaseModel, Generic[T]):
    """``{"data": ...}``, the success body of every route but ``ping``."""

    data: T


#: What each error status of the API means; every route documents the ones it can answer.
_ERROR_DESCRIPTIONS = {
    400: "validation_failed / invalid_metric",
    401: "unauthenticated / session_invalid",
    403: "forbidden / tenant_mismatch",
    404: "not_found (player, grant, catalog key)",
    409: "conflict / idempotency_conflict",
    413: "body too large (validation_failed)",
    422: "conflict: an invalid merge pair",
    429: "rate_limited (see Retry-After)",
    500: "internal_error",
    503: "database busy (see Retry-After)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for those error statuses, each answered with the error envelope."""
    return {
        status: {"model": ErrorEnvelope, "description": _ERROR_DESCRIPTIONS[status]}
        for status in statuses
    }


#: The errors every ``/server/v1`` route can answer (merge-into adds 422).
ERROR_RESPONSES = error_responses(400, 401, 403, 404, 409, 413, 429, 500, 503)
