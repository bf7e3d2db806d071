"""Response shapes on the wire, shared by services (return types) and routes (OpenAPI models)."""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import TypedDict

GrantStatus = Literal["pending", "claimed", "expired"]


class WalletChange(TypedDict):
    """Answer of wallet credit/debit."""

    economyKey: str
    balance: int
    applied: bool


class InventoryChange(TypedDict):
    """Answer of inventory grant/revoke."""

    itemKey: str
    quantity: int
    applied: bool


class Grant(TypedDict):
    """A grant (inbox item) as the contract shows it, plus Kraty Local's metadata/ackedBy."""

    id: str
    kind: str
    contents: dict[str, Any]
    sourceKind: str
    sourceRefId: str | None
    parentGrantId: str | None
    status: GrantStatus
    rolledAt: str | None
    claimedAt: str | None
    expiresAt: str | None
    createdAt: str
    metadata: dict[str, Any] | None
    ackedBy: str | None


class PingKey(TypedDict):
    """The calling key as ``ping`` describes it."""

    id: str
    prefix: str
    permissionSet: str
    environment: str
    studioId: str
    gameId: str | None


class Ping(TypedDict):
    """Answer of ``GET /ping`` (not enveloped)."""

    ok: bool
    apiKey: PingKey


class ErrorBody(TypedDict):
    """The inside of an error envelope."""

    code: str
    message: str
    details: Any


class ErrorEnvelope(TypedDict):
    """Every non-2xx body."""

    error: ErrorBody
