"""The sans-I/O core shared by the sync and async clients.

Nothing here touches the network or sleeps: building a request from an endpoint description,
stamping the idempotency key, deciding whether and how long to wait before a retry, and turning
a response into a value or a :class:`KratyServerError` are all plain functions, so both clients
run the same logic and tests can drive it without sockets.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast
from urllib.parse import quote

from kraty_admin import _http
from kraty_admin._errors import KratyNetworkError, KratyServerError, server_error
from kraty_admin._version import __version__

if TYPE_CHECKING:
    from kraty_admin._config import RetryConfig
    from kraty_admin._telemetry import RequestInfo

T = TypeVar("T")
Method = Literal["GET", "POST", "PUT", "DELETE"]

API_PREFIX = "/server/v1"
SDK_ID = f"kraty-admin/{__version__}"
_PYTHON = "{}.{}.{}".format(*sys.version_info)
USER_AGENT = f"{SDK_ID} python/{_PYTHON} {_http.LIBRARY}/{_http.VERSION}"
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# Transport failures worth another try; configuration mistakes (bad scheme, proxy setup) are not.
RETRYABLE_TRANSPORT_ERRORS = (_http.TimeoutException, _http.NetworkError, _http.RemoteProtocolError)
_BODY_METHODS = frozenset({"POST", "PUT"})
_SNIPPET_CHARS = 200
REQUEST_ID_HEADER = "X-Request-Id"
# The characters ``quote`` never encodes; with "/" between segments.
_UNQUOTED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")


def path(*segments: str) -> str:
    """Join path segments under ``/server/v1``, percent-encoding each as exactly one segment.

    ``/`` becomes ``%2F`` and the dot segments ``.`` and ``..`` are encoded too, so no id can
    climb into or address another route.
    """
    try:
        joined = "/".join(segments)
    except TypeError:
        joined = ""
    # The common case in one pass: nothing to encode, no "/" inside a segment (the count), no
    # empty or dot segment.
    framed = f"/{joined}/"
    if (
        joined.count("/") == len(segments) - 1
        and _UNQUOTED.issuperset(joined)
        and "//" not in framed
        and "/./" not in framed
        and "/../" not in framed
    ):
        return API_PREFIX + framed[:-1]
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
    # Only dates (a datetime is one) need converting: no call per field for the rest.
    return {
        key: _wire_date(value) if isinstance(value, date) else value
        for key, value in fields.items()
        if value is not None
    }


def _wire_date(value: date) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


class Call(Generic[T]):
    """One API operation, described independently of how it is sent.

    ``T`` is the type of the value the call returns. ``pick`` names a key of the ``data``
    object to return instead of the whole object (``friends`` returns the list, say).
    ``enveloped`` is false for the one endpoint (``ping``) that answers a bare object.
    (A plain class, not a dataclass: one is built per call, and at import time.)
    """

    __slots__ = ("body", "enveloped", "idempotency_key", "method", "path", "pick")

    def __init__(
        self,
        method: Method,
        path: str,
        body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        pick: str | None = None,
        enveloped: bool = True,
    ) -> None:
        self.method = method
        self.path = path
        self.body = body
        self.idempotency_key = idempotency_key
        self.pick = pick
        self.enveloped = enveloped

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


class PreparedRequest:
    """A call made concrete: URL, headers and encoded body, with its idempotency key fixed."""

    __slots__ = ("content", "headers", "idempotency_key", "method", "path", "url")

    def __init__(
        self,
        method: Method,
        url: str,
        headers: Mapping[str, str],
        content: bytes | None,
        idempotency_key: str | None,
        path: str,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.content = content
        self.idempotency_key = idempotency_key
        self.path = path


def sdk_headers(api_key: str) -> dict[str, str]:
    """The headers every request carries: authorization and the SDK's identification."""
    return {
        "Authorization": f"Bearer {api_key}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        "X-Kraty-SDK": SDK_ID,
    }


_BODY_HEADERS = {"Content-Type": "application/json"}


class RequestHeaders:
    """The headers to pass with each request, built once per client (or view).

    ``plain`` goes with GET and DELETE, ``body`` (plus the JSON content type) with POST and
    PUT. When ``complete``, they already include the HTTP client's default headers (merged
    as the library merges a request's headers into them), so a request is built from them
    alone. They may hold the API key, so the repr does not show them.
    """

    __slots__ = ("body", "complete", "plain")

    def __init__(
        self, plain: Mapping[str, str], body: Mapping[str, str], *, complete: bool
    ) -> None:
        self.plain = plain
        self.body = body
        self.complete = complete

    def __repr__(self) -> str:
        return "<RequestHeaders redacted>"


def request_headers(
    extra: Mapping[str, str],
    sdk: Mapping[str, str],
    *,
    defaults: _http.Headers | None = None,
) -> RequestHeaders:
    """``extra`` (the caller's, minus any the SDK sets itself), then ``sdk``.

    ``sdk`` is empty when the HTTP client already carries :func:`sdk_headers` as defaults;
    given those ``defaults``, the result is complete: the defaults updated with the rest.
    """
    own = {name.lower() for name in (*sdk_headers(""), "Content-Type")}
    plain = {name: value for name, value in extra.items() if name.lower() not in own}
    plain.update(sdk)
    body = {**plain, **_BODY_HEADERS}
    if defaults is None:
        return RequestHeaders(plain, body, complete=False)
    return RequestHeaders(_merged(defaults, plain), _merged(defaults, body), complete=True)


def _merged(defaults: _http.Headers, headers: Mapping[str, str]) -> _http.Headers:
    merged = _http.Headers(defaults)
    merged.update(headers)
    return merged


def prepare(
    call: Call[Any],
    *,
    base_url: str,
    headers: RequestHeaders,
    new_key: Callable[[], str],
) -> PreparedRequest:
    """Build the request for ``call``; POST and PUT bodies carry an ``idempotencyKey``.

    The caller's key wins; otherwise ``new_key`` is called exactly once, here, so every retry
    of this logical call reuses the same key.
    """
    if call.method not in _BODY_METHODS:
        return PreparedRequest(
            call.method, base_url + call.path, headers.plain, None, None, call.path
        )
    key = call.idempotency_key if call.idempotency_key is not None else new_key()
    body = {**(call.body or {}), "idempotencyKey": key}
    content = _JSON.encode(body).encode("utf-8")
    return PreparedRequest(call.method, base_url + call.path, headers.body, content, key, call.path)


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


def decode(call: Call[T], status: int, content: bytes, headers: Mapping[str, str]) -> T:
    """The value of a response to ``call``; raises :class:`KratyServerError` for any error.

    Errors carry the ``X-Request-Id`` of the response ``headers`` (or, without the header,
    the envelope's ``requestId``); a good answer never looks it up.
    """
    try:
        payload = json.loads(content) if content else None
    except ValueError:
        payload = _UNREADABLE
    if not 200 <= status < 300:
        raise _error_from(status, payload, content, headers.get(REQUEST_ID_HEADER))
    if payload is _UNREADABLE or not isinstance(payload, dict):
        raise _malformed(
            status,
            "the response body is not a JSON object",
            content,
            headers.get(REQUEST_ID_HEADER),
        )
    if call.enveloped:
        if "data" not in payload:
            raise _malformed(
                status,
                "the response has no 'data' envelope",
                content,
                headers.get(REQUEST_ID_HEADER),
            )
        payload = payload["data"]
    if call.pick is not None:
        if not isinstance(payload, dict) or call.pick not in payload:
            problem = f"the response has no {call.pick!r} field"
            raise _malformed(status, problem, content, headers.get(REQUEST_ID_HEADER))
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
    request: PreparedRequest, exc: _http.HTTPError, attempts: int
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
    from kraty_admin._telemetry import RequestInfo

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
