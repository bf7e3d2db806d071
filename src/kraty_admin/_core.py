"""The sans-I/O core shared by the sync and async clients.

Nothing here touches the network or sleeps: building a request from an endpoint description,
stamping the idempotency key, deciding whether and how long to wait before a retry, and turning
a response into a value or a :class:`KratyServerError` are all plain functions, so both clients
run the same logic and tests can drive it without sockets.
"""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Generic, Literal, TypeVar, cast
from urllib.parse import quote

import httpx

from kraty_admin._config import RequestInfo, RetryConfig
from kraty_admin._errors import KratyNetworkError, KratyServerError, server_error
from kraty_admin._version import __version__

T = TypeVar("T")
Method = Literal["GET", "POST", "PUT", "DELETE"]

API_PREFIX = "/server/v1"
SDK_ID = f"kraty-admin/{__version__}"
USER_AGENT = f"{SDK_ID} python/{platform.python_version()} httpx/{httpx.__version__}"
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# Transport failures worth another try; configuration mistakes (bad scheme, proxy setup) are not.
RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_BODY_METHODS = frozenset({"POST", "PUT"})
_SNIPPET_CHARS = 200
REQUEST_ID_HEADER = "X-Request-Id"


def path(*segments: str) -> str:
    """Join path segments under ``/server/v1``, percent-encoding each as exactly one segment.

    ``/`` becomes ``%2F`` and the dot segments ``.`` and ``..`` are encoded too, so no id can
    climb into or address another route.
    """
    encoded = []
    for segment in segments:
        if not isinstance(segment, str) or not segment:
            raise ValueError(f"path segment must be a non-empty string, got {segment!r}")
        if segment in {".", ".."}:
            encoded.append(segment.replace(".", "%2E"))
        else:
            encoded.append(quote(segment, safe=""))
    return API_PREFIX + "/" + "/".join(encoded)


def compact(**fields: Any) -> dict[str, Any]:
    """A request body from camelCase fields, leaving out those whose value is ``None``."""
    return {key: _wire_value(value) for key, value in fields.items() if value is not None}


def _wire_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API operation, described independently of how it is sent.

    ``T`` is the type of the value the call returns. ``pick`` names a key of the ``data``
    object to return instead of the whole object (``friends`` returns the list, say).
    ``enveloped`` is false for the one endpoint (``ping``) that answers a bare object.
    """

    method: Method
    path: str
    body: dict[str, Any] | None = None
    idempotency_key: str | None = None
    pick: str | None = None
    enveloped: bool = True

    @classmethod
    def get(cls, path: str, *, pick: str | None = None, enveloped: bool = True) -> Call[T]:
        """A GET call."""
        return cls("GET", path, pick=pick, enveloped=enveloped)

    @classmethod
    def post(
        cls, path: str, body: dict[str, Any] | None = None, idempotency_key: str | None = None
    ) -> Call[T]:
        """A POST call; its body gets an idempotency key when it is prepared."""
        return cls("POST", path, body or {}, idempotency_key)

    @classmethod
    def put(
        cls, path: str, body: dict[str, Any] | None = None, idempotency_key: str | None = None
    ) -> Call[T]:
        """A PUT call; its body gets an idempotency key when it is prepared."""
        return cls("PUT", path, body or {}, idempotency_key)


@dataclass(frozen=True)
class PreparedRequest:
    """A call made concrete: URL, headers and encoded body, with its idempotency key fixed."""

    method: Method
    url: str
    headers: dict[str, str] = field(repr=False)
    content: bytes | None = field(repr=False)
    idempotency_key: str | None
    path: str


def prepare(
    call: Call[Any],
    *,
    base_url: str,
    api_key: str,
    new_key: Callable[[], str],
    extra_headers: Mapping[str, str] | None = None,
) -> PreparedRequest:
    """Build the request for ``call``; POST and PUT bodies carry an ``idempotencyKey``.

    The caller's key wins; otherwise ``new_key`` is called exactly once, here, so every retry
    of this logical call reuses the same key. ``extra_headers`` are sent too, but cannot
    replace the SDK's own (authorization, identification, content type).
    """
    headers = {
        **(extra_headers or {}),
        "Authorization": f"Bearer {api_key}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        "X-Kraty-SDK": SDK_ID,
    }
    key: str | None = None
    content: bytes | None = None
    if call.method in _BODY_METHODS:
        key = call.idempotency_key if call.idempotency_key is not None else new_key()
        body = {**(call.body or {}), "idempotencyKey": key}
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers["Content-Type"] = "application/json"
    return PreparedRequest(call.method, base_url + call.path, headers, content, key, call.path)


def backoff_delay(
    retry: RetryConfig, retry_number: int, uniform: Callable[[float, float], float]
) -> float:
    """Seconds to wait before retry number ``retry_number`` (1 = the first retry).

    ``uniform(a, b)`` draws the jitter factor (``random.uniform`` in production).
    """
    base = min(retry.initial_delay * 2.0 ** (retry_number - 1), retry.max_delay)
    return max(0.0, base * (1 + uniform(-retry.jitter, retry.jitter)))


def parse_retry_after(value: str | None, clock: Callable[[], float]) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or HTTP-date), or ``None``.

    ``clock`` gives the current time in seconds since the epoch (for HTTP-dates).
    """
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        # delta-seconds: a negative or non-finite number is garbage, not "retry now/never".
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - clock())


def retry_delay(
    retry: RetryConfig,
    attempt: int,
    *,
    status: int | None,
    retry_after: str | None = None,
    uniform: Callable[[float, float], float],
    clock: Callable[[], float],
) -> float | None:
    """How long to wait before another try after ``attempt`` ended, or ``None`` to stop.

    ``status`` is ``None`` when the attempt failed at the transport level (a retryable one).
    """
    if attempt >= retry.attempts:
        return None
    if status is not None and status not in RETRYABLE_STATUSES:
        return None
    requested = parse_retry_after(retry_after, clock) if status is not None else None
    if requested is not None:
        return min(requested, retry.max_delay)
    return backoff_delay(retry, attempt, uniform)


def decode(call: Call[T], status: int, content: bytes, request_id: str | None = None) -> T:
    """The value of a response to ``call``; raises :class:`KratyServerError` for any error.

    ``request_id`` is the response's ``X-Request-Id``; errors carry it (or, without the
    header, the envelope's ``requestId``).
    """
    try:
        payload = json.loads(content) if content else None
    except ValueError:
        payload = _UNREADABLE
    if not 200 <= status < 300:
        raise _error_from(status, payload, content, request_id)
    if payload is _UNREADABLE or not isinstance(payload, dict):
        raise _malformed(status, "the response body is not a JSON object", content, request_id)
    if call.enveloped:
        if "data" not in payload:
            raise _malformed(status, "the response has no 'data' envelope", content, request_id)
        payload = payload["data"]
    if call.pick is not None:
        if not isinstance(payload, dict) or call.pick not in payload:
            problem = f"the response has no {call.pick!r} field"
            raise _malformed(status, problem, content, request_id)
        payload = payload[call.pick]
    return cast(T, payload)


_UNREADABLE = object()


def _error_from(
    status: int, payload: Any, content: bytes, request_id: str | None
) -> KratyServerError:
    error = payload.get("error") if isinstance(payload, Mapping) else None
    if (
        isinstance(error, Mapping)
        and isinstance(error.get("code"), str)
        and isinstance(error.get("message"), str)
    ):
        sent_id = error.get("requestId")
        return server_error(
            status=status,
            code=error["code"],
            api_message=error["message"],
            details=error.get("details"),
            request_id=request_id or (sent_id if isinstance(sent_id, str) else None),
        )
    return _malformed(status, "the error response has no error envelope", content, request_id)


def _malformed(
    status: int, problem: str, content: bytes, request_id: str | None
) -> KratyServerError:
    snippet = content[:_SNIPPET_CHARS].decode("utf-8", errors="replace")
    return server_error(
        status=status,
        code="internal_error",
        api_message=f"HTTP {status}: {problem} (body starts: {snippet!r})",
        request_id=request_id,
    )


def network_error(
    request: PreparedRequest, exc: httpx.HTTPError, attempts: int
) -> KratyNetworkError:
    """The error raised when the transport failed and the retry budget is spent."""
    tries = "attempt" if attempts == 1 else "attempts"
    return KratyNetworkError(
        f"{request.method} {request.url} failed after {attempts} {tries}: "
        f"{type(exc).__name__}: {exc}",
        original_cause=exc,
    )


def request_info(
    request: PreparedRequest,
    attempt: int,
    duration_ms: float,
    status: int | None,
    request_id: str | None,
) -> RequestInfo:
    """The telemetry record for one attempt."""
    return RequestInfo(
        method=request.method,
        url=request.url,
        attempt=attempt,
        idempotency_key=request.idempotency_key,
        duration_ms=duration_ms,
        status=status,
        ok=status is not None and 200 <= status < 300,
        request_id=request_id,
    )
