"""kraty-admin: server-side Python SDK for the Kraty ``/server/v1`` admin API."""

from kraty_admin._async_client import KratyAdminAsync
from kraty_admin._client import KratyAdmin
from kraty_admin._config import RequestInfo, RetryConfig
from kraty_admin._errors import KratyError, KratyNetworkError, KratyServerError
from kraty_admin._migration import MigrationProgress
from kraty_admin._version import __version__
from kraty_admin._webhooks import sign_webhook, verify_webhook

__all__ = [
    "KratyAdmin",
    "KratyAdminAsync",
    "KratyError",
    "KratyNetworkError",
    "KratyServerError",
    "MigrationProgress",
    "RequestInfo",
    "RetryConfig",
    "__version__",
    "sign_webhook",
    "verify_webhook",
]
