"""The exceptions the SDK raises.

:class:`KratyServerError` has one subclass per category of error code (authentication,
permission, not found, conflict...); :func:`server_error` picks the class for a code, falling
back on the HTTP status for codes this SDK does not know yet.
"""

from __future__ import annotations

from typing import Any


class KratyError(Exception):
    """Base class of every error raised by kraty-admin."""


class KratyServerError(KratyError):
    """The server answered with an error (or with a body the SDK could not read).

    ``status`` is the HTTP status, ``code`` the machine-readable error code, ``api_message``
    the server's human-readable message, ``details`` any structured detail it sent and
    ``request_id`` the server's id for the request (quote it to support), when it sent one.
    """

    def __init__(
        self,
        *,
        status: int,
        code: str,
        api_message: str,
        details: Any = None,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.api_message = api_message
        self.details = details
        self.request_id = request_id
        suffix = f" (request id {request_id})" if request_id else ""
        super().__init__(f"[{status}] {code}: {api_message}{suffix}")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"api_message={self.api_message!r}, details={self.details!r}, "
            f"request_id={self.request_id!r})"
        )

    def is_code(self, code: str) -> bool:
        """Whether the server's error code is ``code`` (for codes without a property)."""
        return self.code == code

    @property
    def is_validation_failed(self) -> bool:
        """400 ``validation_failed``: the request body or query failed validation."""
        return self.code == "validation_failed"

    @property
    def is_invalid_metric(self) -> bool:
        """400 ``invalid_metric``: a grant entry names an unknown currency, item or crate."""
        return self.code == "invalid_metric"

    @property
    def is_score_not_supported(self) -> bool:
        """400 ``score_not_supported``: the leaderboard does not take raw scores."""
        return self.code == "score_not_supported"

    @property
    def is_unauthenticated(self) -> bool:
        """401 ``unauthenticated``: the request carried no credentials."""
        return self.code == "unauthenticated"

    @property
    def is_session_invalid(self) -> bool:
        """401 ``session_invalid``: the API key is malformed, unknown or revoked."""
        return self.code == "session_invalid"

    @property
    def is_forbidden(self) -> bool:
        """403 ``forbidden``: the key is valid but not allowed here (wrong game or permissions)."""
        return self.code == "forbidden"

    @property
    def is_tenant_mismatch(self) -> bool:
        """403 ``tenant_mismatch``: the key belongs to another studio."""
        return self.code == "tenant_mismatch"

    @property
    def is_player_banned(self) -> bool:
        """403 ``player_banned``: the player is banned."""
        return self.code == "player_banned"

    @property
    def is_not_found(self) -> bool:
        """404 ``not_found``: the player, grant, lobby, event, item or currency is unknown."""
        return self.code == "not_found"

    @property
    def is_conflict(self) -> bool:
        """409 (or 422) ``conflict``: insufficient balance, wrong mode, grant not claimable."""
        return self.code == "conflict"

    @property
    def is_idempotency_conflict(self) -> bool:
        """409 ``idempotency_conflict``: the key was used with a different body within 24 h."""
        return self.code == "idempotency_conflict"

    @property
    def is_event_disabled(self) -> bool:
        """409 ``event_disabled``: the event exists but is disabled."""
        return self.code == "event_disabled"

    @property
    def is_rate_limited(self) -> bool:
        """429 ``rate_limited``: the per-key rate limit held after every retry."""
        return self.code == "rate_limited"

    @property
    def is_internal_error(self) -> bool:
        """500 ``internal_error``, or a response the SDK could not decode."""
        return self.code == "internal_error"


class KratyNetworkError(KratyError):
    """The server could not be reached (after every retry); ``original_cause`` says why."""

    def __init__(self, message: str, *, original_cause: BaseException) -> None:
        self.original_cause = original_cause
        super().__init__(message)


class ValidationError(KratyServerError):
    """400: the request failed validation (``validation_failed``, ``invalid_metric``...)."""


class AuthenticationError(KratyServerError):
    """401: no API key, or one that is malformed, unknown or revoked."""


class PermissionDeniedError(KratyServerError):
    """403: the key may not do this (wrong game or studio), or the player is banned."""


class NotFoundError(KratyServerError):
    """404: the player, grant, lobby, event, item or currency is unknown to this game."""


class ConflictError(KratyServerError):
    """409 (or 422): a state conflict, such as a short balance or a disabled event."""


class IdempotencyConflictError(KratyServerError):
    """409 ``idempotency_conflict``: the key was used with a different body within 24 h."""


class RateLimitError(KratyServerError):
    """429: the per-key rate limit held after every retry."""


class InternalServerError(KratyServerError):
    """5xx, or a response the SDK could not read (code ``internal_error``)."""


_BY_CODE: dict[str, type[KratyServerError]] = {
    "validation_failed": ValidationError,
    "invalid_metric": ValidationError,
    "score_not_supported": ValidationError,
    "unauthenticated": AuthenticationError,
    "session_invalid": AuthenticationError,
    "forbidden": PermissionDeniedError,
    "tenant_mismatch": PermissionDeniedError,
    "player_banned": PermissionDeniedError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "event_disabled": ConflictError,
    "idempotency_conflict": IdempotencyConflictError,
    "rate_limited": RateLimitError,
    "internal_error": InternalServerError,
}
_BY_STATUS: dict[int, type[KratyServerError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def server_error(
    *,
    status: int,
    code: str,
    api_message: str,
    details: Any = None,
    request_id: str | None = None,
) -> KratyServerError:
    """The error for an error response: the class of its code, else of its status."""
    cls = _BY_CODE.get(code) or _BY_STATUS.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else KratyServerError
    return cls(
        status=status, code=code, api_message=api_message, details=details, request_id=request_id
    )
