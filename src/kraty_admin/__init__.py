"""kraty-admin: server-side Python SDK for the Kraty ``/server/v1`` admin API."""

from kraty_admin._async_client import KratyAdminAsync
from kraty_admin._client import KratyAdmin
from kraty_admin._config import RequestInfo, RetryConfig
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
from kraty_admin._migration import MigrationProgress
from kraty_admin._response import RawResponse
from kraty_admin._version import __version__
from kraty_admin._webhooks import sign_webhook, verify_webhook

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

# Tracebacks and reprs name the public module, not the private one a class is defined in.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = __name__
del _name, _value

setup_from_env()
