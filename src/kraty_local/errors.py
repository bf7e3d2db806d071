"""The error envelope: ``ApiError``, the one mapping of domain errors to HTTP, and the handlers
that turn every failure into the envelope.

Every non-2xx answer is ``{"error": {"code", "message", "details"}}``; bad input is
``400 validation_failed`` with ``details`` listing ``{"field", "message"}``, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kraty_local.domain.errors import (
    Busy,
    Conflict,
    DomainError,
    EventDisabled,
    Forbidden,
    IdempotencyConflict,
    Invalid,
    InvalidMerge,
    NotFound,
    RateLimited,
    ScoreNotSupported,
    SessionInvalid,
    Unauthenticated,
)

#: Tags of tagged unions in request models; they appear in Pydantic error locations but are
#: not fields the caller sent, so they are dropped from ``details[].field``.
UNION_TAGS = frozenset({"currency", "item", "crate"})

_HTTP_CODES = {
    400: "validation_failed",
    404: "not_found",
    405: "method_not_allowed",
    413: "validation_failed",
    415: "validation_failed",
    422: "validation_failed",
}


#: The status of each domain error (the most specific class listed wins).
_STATUS: dict[type[DomainError], int] = {
    Invalid: 400,
    ScoreNotSupported: 400,
    Unauthenticated: 401,
    SessionInvalid: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    EventDisabled: 409,
    IdempotencyConflict: 409,
    InvalidMerge: 422,
    RateLimited: 429,
    Busy: 503,
}


class ApiError(Exception):
    """An answer other than success, as the HTTP layer sends it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Describe the answer."""
        super().__init__(f"[{status}] {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON envelope of this error."""
        return envelope(self.code, self.message, self.details)

    def response(self) -> JSONResponse:
        """The HTTP response of this error."""
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def envelope(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """``{"error": {"code", "message", "details"}}``."""
    return {"error": {"code": code, "message": message, "details": details}}


def api_error(err: DomainError) -> ApiError:
    """How the API answers a domain error: its status, envelope and ``Retry-After``."""
    status = next((_STATUS[c] for c in type(err).__mro__ if c in _STATUS), 500)
    retry_after = getattr(err, "retry_after", None)
    headers = None if retry_after is None else {"Retry-After": str(retry_after)}
    return ApiError(status, err.code, err.message, err.details, headers=headers)


def validation_failed(message: str, details: list[dict[str, str]]) -> ApiError:
    """A ``400 validation_failed`` with field details."""
    return ApiError(400, "validation_failed", message, details)


def field_path(loc: Sequence[int | str]) -> str:
    """``("body", "entries", 0, "currency", "amount")`` -> ``"entries.0.amount"``."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[1:]
    kept = [
        str(p)
        for i, p in enumerate(parts)
        if not (p in UNION_TAGS and i > 0 and isinstance(parts[i - 1], int))
    ]
    return ".".join(kept) or "body"


def _validation_details(exc: RequestValidationError) -> list[dict[str, str]]:
    details = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", "invalid JSON")
            details.append({"field": "body", "message": f"Malformed JSON: {reason}"})
            continue
        loc = err.get("loc", ())
        field = field_path(loc)
        if loc and loc[0] == "path":  # "path.player_id": an id of the URL, not of the body
            field = ".".join(str(p) for p in loc)
        elif loc and loc[0] in ("query", "header"):
            field = ".".join(str(p) for p in loc[1:]) or str(loc[0])
        details.append({"field": field, "message": str(err.get("msg", "invalid value"))})
    return details


async def _on_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _on_domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return api_error(exc).response()


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _validation_details(exc)
    return validation_failed("The request is invalid.", details).response()


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _HTTP_CODES.get(status, "internal_error" if status >= 500 else "validation_failed")
    message = str(exc.detail) if exc.detail else "Request failed."
    details = [{"field": "body", "message": message}] if code == "validation_failed" else None
    return ApiError(status, code, message, details, headers=exc.headers).response()


#: The app's exception handlers: every error type FastAPI can raise goes through the envelope.
EXCEPTION_HANDLERS: dict[
    int | type[Exception], Callable[[Request, Any], Coroutine[Any, Any, Response]]
] = {
    ApiError: _on_api_error,
    DomainError: _on_domain_error,
    RequestValidationError: _on_validation_error,
    StarletteHTTPException: _on_http_error,
}
