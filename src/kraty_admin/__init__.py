"""kraty-admin: server-side Python SDK for the Kraty ``/server/v1`` admin API."""

import importlib
from typing import TYPE_CHECKING, Any

from kraty_admin._client import KratyAdmin
from kraty_admin._errors import (
    AuthenticationError,
    ConflictError,
    IdempotencyConflictError,
    InternalServerError,
    KratyError,
    KratyNetworkError,
    KratyServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ValidationError,
)
from kraty_admin._logs import setup_from_env
from kraty_admin._response import RawResponse
from kraty_admin._version import __version__

if TYPE_CHECKING:
    from kraty_admin._async_client import KratyAdminAsync
    from kraty_admin._config import RetryConfig
    from kraty_admin._migration import MigrationProgress
    from kraty_admin._telemetry import RequestInfo
    from kraty_admin._webhooks import sign_webhook, verify_webhook

# Loaded on first use: a sync client needs neither the async one, the webhook verifier, the
# import engine's progress record nor, without an ``on_request`` hook, its record; the retry
# policy only once an attempt fails (or one is passed in).
_LAZY = {
    "KratyAdminAsync": "kraty_admin._async_client",
    "MigrationProgress": "kraty_admin._migration",
    "RetryConfig": "kraty_admin._config",
    "RequestInfo": "kraty_admin._telemetry",
    "sign_webhook": "kraty_admin._webhooks",
    "verify_webhook": "kraty_admin._webhooks",
}

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "IdempotencyConflictError",
    "InternalServerError",
    "KratyAdmin",
    "KratyAdminAsync",
    "KratyError",
    "KratyNetworkError",
    "KratyServerError",
    "MigrationProgress",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "RequestInfo",
    "RetryConfig",
    "ValidationError",
    "__version__",
    "sign_webhook",
    "verify_webhook",
]


def _publish(value: Any) -> Any:
    """Tracebacks and reprs name the public module, not the private one a class is defined in."""
    if isinstance(value, type):
        value.__module__ = __name__
    return value


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = _publish(getattr(importlib.import_module(_LAZY[name]), name))
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


for _name in __all__:
    if _name not in _LAZY:
        _publish(globals()[_name])
del _name

setup_from_env()
