"""Response shapes of Kraty Local: the SDK's public wire types, plus the server-only ones.

The SDK's ``kraty_admin.types`` is the single description of the wire; Kraty Local serves
exactly those shapes (they double as its OpenAPI response models).
"""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import TypedDict

from kraty_admin.types import (
    Attempt,
    AttemptStatus,
    FinishResult,
    Grant,
    InventoryChange,
    Lobby,
    LobbyParticipant,
    MigrationFailure,
    MigrationFailureError,
    MigrationOutcome,
    MilestoneFired,
    Ping,
    PingKey,
    ProgressResult,
    ScoreResult,
    WalletChange,
)

__all__ = [
    "Attempt",
    "AttemptStatus",
    "ErrorBody",
    "ErrorEnvelope",
    "FinishResult",
    "Grant",
    "GrantStatus",
    "InventoryChange",
    "Lobby",
    "LobbyParticipant",
    "LobbyStatus",
    "LobbyView",
    "MigrationFailure",
    "MigrationFailureError",
    "MigrationOutcome",
    "MilestoneFired",
    "Ping",
    "PingKey",
    "ProgressResult",
    "ScoreResult",
    "WalletChange",
]

GrantStatus = Literal["pending", "claimed", "expired"]
LobbyStatus = Literal["forming", "active", "closed"]
LobbyView = Lobby


class ErrorBody(TypedDict):
    """The ``error`` object of an error response."""

    code: str
    message: str
    details: Any


class ErrorEnvelope(TypedDict):
    """Every non-2xx answer: ``{"error": {code, message, details}}``."""

    error: ErrorBody
