"""What went wrong, in the domain's words: services raise these, the API layer alone turns them
into a status and the error envelope (``kraty_local.errors``).

Each error carries the envelope's ``code`` (the contract's vocabulary, section 2), a message for
people and ``details`` for programs. ``decided`` marks a business outcome decided inside the
transaction (an unknown catalog key, a conflict): the idempotency layer stores it and replays it
like a success. Nothing here imports the web stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from kraty_local.timefmt import iso

_MISSING = object()


class DomainError(Exception):
    """Base of every error a service, the key ring or the database layer raises on purpose."""

    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, details: Any = None, *, decided: bool = False) -> None:
        """Describe the error; see the module doc for ``decided``."""
        super().__init__(f"{self.code}: {message}")
        self.message = message
        self.details = details
        self.decided = decided


class NotFound(DomainError):
    """A player, grant, lobby, event, attempt or catalog key this game does not know."""

    code = "not_found"


class Conflict(DomainError):
    """The current state does not allow the operation."""

    code = "conflict"


class Insufficient(Conflict):
    """Taking ``requested`` units of ``key`` when only ``available`` are held."""

    def __init__(self, key_field: str, key: str, available: int, requested: int, noun: str):
        """``key_field`` names the key in ``details`` (``itemKey``, ``economyKey``)."""
        super().__init__(
            f"Insufficient {noun} of {key!r}: {available} available, {requested} requested.",
            {key_field: key, "available": available, "requested": requested},
            decided=True,
        )
        self.key, self.available, self.requested = key, available, requested


class InvalidMerge(Conflict):
    """Two players that cannot be merged (the same one, or a target gone or banned)."""

    def __init__(self, message: str, from_id: str, to_id: str) -> None:
        """Refuse merging ``from_id`` into ``to_id``."""
        details = {"fromExternalPlayerId": from_id, "toExternalPlayerId": to_id}
        super().__init__(message, details, decided=True)


class EventDisabled(DomainError):
    """The event exists but is switched off."""

    code = "event_disabled"


class Invalid(DomainError):
    """Input the service cannot accept; ``details`` lists ``{"field", "message"}``."""

    code = "validation_failed"

    def __init__(self, message: str, details: list[dict[str, str]] | None = None) -> None:
        """Name the fields at fault."""
        super().__init__(message, details)


class InvalidMetric(Invalid):
    """A grant entry names an unknown currency, item or crate."""

    code = "invalid_metric"


class ScoreNotSupported(DomainError):
    """A raw score for a board that does not take scores."""

    code = "score_not_supported"


class Unauthenticated(DomainError):
    """No credentials at all."""

    code = "unauthenticated"


class SessionInvalid(DomainError):
    """Credentials that are malformed, unknown or revoked."""

    code = "session_invalid"


class Forbidden(DomainError):
    """A valid key that may not do this (wrong permission set or game)."""

    code = "forbidden"


class TenantMismatch(Forbidden):
    """A valid key reaching into another studio."""

    code = "tenant_mismatch"


class RateLimited(DomainError):
    """Over the key's rate limit; try again in ``retry_after`` seconds."""

    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        """Say when to come back."""
        super().__init__(
            f"Rate limit exceeded; retry in {retry_after} s.", {"retryAfterSeconds": retry_after}
        )
        self.retry_after = retry_after


class IdempotencyConflict(DomainError):
    """The same idempotency key with a different request body, within its lifetime."""

    code = "idempotency_conflict"

    def __init__(
        self, before: Mapping[str, Any], after: Mapping[str, Any], original_at: datetime
    ) -> None:
        """Name the top-level fields that differ between the first body and this one."""
        keys = set(before) | set(after)
        differing = sorted(k for k in keys if before.get(k, _MISSING) != after.get(k, _MISSING))
        super().__init__(
            "This idempotency key was already used with a different request body.",
            {"differingFields": differing, "originalRequestAt": iso(original_at)},
        )


class Busy(DomainError):
    """The database lock could not be taken in time; nothing was applied, retry shortly."""

    def __init__(self) -> None:
        """Retryable after a second."""
        super().__init__("The database is busy; retry shortly.")
        self.retry_after = 1


class TransientConflict(Busy):
    """A deadlock or serialization failure: nothing was applied and the work may run again."""
