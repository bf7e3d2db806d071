"""What the sync and async clients share: configuration, resources and per-attempt logic."""

from __future__ import annotations

import copy
import functools
import logging
import os
import random
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar, cast
from urllib.parse import urlencode

from kraty_admin import _http
from kraty_admin._core import (
    REQUEST_ID_HEADER,
    RETRYABLE_STATUSES,
    RETRYABLE_TRANSPORT_ERRORS,
    Call,
    Method,
    PreparedRequest,
    RequestHeaders,
    decode,
    network_error,
    prepare,
    request_headers,
    request_info,
    retry_delay,
    sdk_headers,
)
from kraty_admin._errors import KratyServerError
from kraty_admin._logs import logger
from kraty_admin._resources._namespaces import Namespaces, without_cached

if TYPE_CHECKING:
    from kraty_admin._config import RetryConfig
    from kraty_admin._response import RawResponse
    from kraty_admin._telemetry import RequestInfo

    RequestHook: TypeAlias = Callable[[RequestInfo], object]

S = TypeVar("S")
H = TypeVar("H", bound="_http.Client | _http.AsyncClient")
Z = TypeVar("Z")
T = TypeVar("T")
C = TypeVar("C", bound="BaseClient[Any, Any, Any]")
Timeout = float | _http.Timeout | None

DEFAULT_BASE_URL = "https://api.kraty.app"
DEFAULT_TIMEOUT = 15.0


class _Unset:
    """The default of ``with_options(timeout=...)``, since ``None`` means "no timeout"."""


UNSET = _Unset()


class _Secret:
    """Holds the API key so that no repr, log line or ``vars()`` dump shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<redacted>"


def _resolve_api_key(api_key: str | None) -> _Secret:
    value = api_key if api_key is not None else os.environ.get("KRATY_SERVER_KEY")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            "an API key is required: pass api_key=... or set the KRATY_SERVER_KEY "
            "environment variable"
        )
    value = value.strip()
    if not all("!" <= char <= "~" for char in value):
        # Never echo the key: it may be real, and the message ends up in logs.
        raise ValueError(
            "the API key contains characters an HTTP header cannot carry (whitespace, control "
            "characters or non-ASCII); check how it was copied"
        )
    return _Secret(value)


def _resolve_base_url(base_url: str | None) -> str:
    value = base_url or os.environ.get("KRATY_BASE_URL") or DEFAULT_BASE_URL
    try:
        url: _http.URL | None = _http.URL(value)
    except _http.InvalidURL:  # not a ValueError (a bad port, control characters...)
        url = None
    # Paths are appended to the text, so a query or fragment would swallow them.
    if (
        url is None
        or url.scheme not in {"http", "https"}
        or not url.host
        or "?" in value
        or "#" in value
    ):
        raise ValueError(
            f"base_url must be an http(s) URL without query or fragment, got {value!r}"
        )
    return value.rstrip("/")


class Exchange(Generic[T]):
    """One logical call in flight: its prepared request, attempt count and telemetry.

    The clients' I/O loops ask it, after each attempt, whether to wait and retry (a delay),
    and get the value or a typed error from it when the answer is final.
    """

    def __init__(self, client: BaseClient[Any, Any, Any], call: Call[T]) -> None:
        self._client = client
        self._call = call
        self.request: PreparedRequest = prepare(
            call,
            base_url=client.base_url,
            headers=client._headers,
            new_key=client._generate_idempotency_key,
        )
        self._attempt = 0
        self._started = 0.0

    @property
    def attempts(self) -> int:
        """How many attempts have begun."""
        return self._attempt

    def begin(self) -> None:
        """Mark the start of an attempt."""
        self._attempt += 1
        self._started = self._client._clock()

    def failed(self, exc: _http.HTTPError) -> float:
        """The transport failed: the delay before the next attempt, or raise the network error."""
        self._report(None, None, type(exc).__name__)
        delay = None
        if isinstance(exc, RETRYABLE_TRANSPORT_ERRORS):
            delay = retry_delay(
                self._client.retry,
                self._attempt,
                status=None,
                uniform=self._client._uniform,
                clock=self._client._clock,
            )
        if delay is None:
            raise network_error(self.request, exc, self._attempt) from exc
        self._log_retry(type(exc).__name__, delay)
        return delay

    def answered(self, response: _http.Response) -> float | None:
        """The server answered: a delay before retrying, or ``None`` when this answer is final."""
        status = response.status_code
        self._report(status, response, status)  # %s-formatted only if logged
        if status not in RETRYABLE_STATUSES:
            return None
        delay = retry_delay(
            self._client.retry,
            self._attempt,
            status=status,
            retry_after=response.headers.get("Retry-After"),
            uniform=self._client._uniform,
            clock=self._client._clock,
        )
        if delay is not None:
            self._log_retry(str(status), delay)
        return delay

    def result(self, response: _http.Response) -> T:
        """The call's value from its final response; raises ``KratyServerError`` on errors."""
        try:
            return decode(self._call, response.status_code, response.content, response.headers)
        except KratyServerError as err:
            # A misbehaving proxy may echo request headers in its body; keep the key out.
            key = self._client._api_key.reveal()
            if key in err.api_message:
                err.api_message = err.api_message.replace(key, "<redacted>")
                err.args = (str(err.args[0]).replace(key, "<redacted>"),)
            raise

    def raw(self, response: _http.Response) -> RawResponse[T]:
        """The final response for ``with_raw_response``; raises now if it is an error answer."""
        from kraty_admin._response import RawResponse

        if not 200 <= response.status_code < 300:
            self.result(response)  # raises the typed error
        return RawResponse(response, self._attempt, functools.partial(self.result, response))

    def _report(
        self, status: int | None, response: _http.Response | None, outcome: int | str
    ) -> None:
        """Log the attempt at DEBUG and tell the ``on_request`` hook about it."""
        hook = self._client._on_request
        debug = logger.isEnabledFor(logging.DEBUG)
        if hook is None and not debug:
            return
        request_id = None if response is None else response.headers.get(REQUEST_ID_HEADER)
        duration_ms = max(0.0, self._client._clock() - self._started) * 1000
        request = self.request
        if debug:
            logger.debug(
                "%s %s -> %s attempt=%d elapsed_ms=%.1f request_id=%s idempotency_key=%s",
                request.method,
                request.path,
                outcome,
                self._attempt,
                duration_ms,
                request_id,
                request.idempotency_key,
            )
        if hook is None:
            return
        try:
            hook(request_info(request, self._attempt, duration_ms, status, request_id))
        except Exception as exc:
            # Not the transport error being handled: its message may quote request headers.
            exc.__suppress_context__ = True
            logger.warning("kraty_admin: the on_request hook raised; ignoring it", exc_info=exc)

    def _log_retry(self, outcome: str, delay: float) -> None:
        logger.info(
            "retrying %s %s after %s in %.2f s (attempt %d of %d) idempotency_key=%s",
            self.request.method,
            self.request.path,
            outcome,
            delay,
            self._attempt + 1,
            self._client.retry.attempts,
            self.request.idempotency_key,
        )


class BaseClient(Namespaces[S], Generic[S, H, Z]):
    """Construction, configuration and resources common to both clients.

    ``S`` is how resources send calls (sync or async), ``H`` the HTTP client type (see
    ``_http``) and ``Z`` the sleep function; a subclass adds only its HTTP client class, its
    default sleep and its I/O loop (``_send``).

    ``clock``, ``sleep`` and ``uniform`` are for tests: the wall clock in seconds since the
    epoch (default ``time.time``; it times attempts and reads ``Retry-After`` dates), the
    function that waits between retries, and ``uniform(a, b)`` drawing the jitter factor
    (default ``random.uniform``).
    """

    _http_client_class: type[H]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        retry: RetryConfig | None = None,
        http_client: H | None = None,
        generate_idempotency_key: Callable[[], str] | None = None,
        on_request: RequestHook | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Z | None = None,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self._api_key = _resolve_api_key(api_key)
        self.base_url = _resolve_base_url(base_url)
        self.timeout = timeout
        self._retry = retry  # None: the default policy, built when first needed
        self._generate_idempotency_key = generate_idempotency_key or _uuid4
        self._on_request = on_request
        self._clock = clock
        self._sleep: Z = sleep if sleep is not None else self._default_sleep()
        self._uniform = uniform
        if http_client is not None and not isinstance(http_client, self._http_client_class):
            expected = f"{_http.LIBRARY}.{self._http_client_class.__name__}"
            got = f"{type(http_client).__module__}.{type(http_client).__qualname__}"
            raise TypeError(
                f"http_client must be an {expected} (the HTTP library kraty_admin uses on this "
                f"Python), not {got}"
            )
        self._owns_http = http_client is None
        self._http: H = (
            http_client
            if http_client is not None
            else self._http_client_class(
                headers=self._sdk_headers(), verify=_http.default_ssl_context()
            )
        )
        self._extra_headers: dict[str, str] = {}
        self._headers = self._request_headers()

    def _resource_sender(self) -> S:
        return cast(S, self)

    @property
    def retry(self) -> RetryConfig:
        """The retry policy: the one given, else ``RetryConfig()``."""
        if self._retry is None:
            from kraty_admin._config import RetryConfig

            self._retry = RetryConfig()
        return self._retry

    @retry.setter
    def retry(self, value: RetryConfig) -> None:
        self._retry = value

    @property
    def timeout(self) -> Timeout:
        """Seconds (or an ``httpx2.Timeout``; ``None`` for none) each HTTP attempt may take."""
        return self._timeout

    @timeout.setter
    def timeout(self, value: Timeout) -> None:
        self._timeout = value
        # Built once, not per request: the library's own conversion checks types each time.
        self._http_timeout = _http.Timeout(value)
        self._timeout_dict = self._http_timeout.as_dict()

    def with_options(
        self: C,
        *,
        timeout: Timeout | _Unset = UNSET,
        retry: RetryConfig | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> C:
        """A view of this client with other options for the calls made through it.

        The view shares the connection pool and everything not given here (key, base URL,
        hooks); ``headers`` are added to the client's. Closing the view leaves the pool open.
        """
        view = copy.copy(self)
        # The resources and raw namespace cached on this client are bound to it, not the view.
        view.__dict__ = without_cached(vars(self), type(self))
        if not isinstance(timeout, _Unset):
            view.timeout = timeout
        if retry is not None:
            view.retry = retry
        if headers is not None:
            view._extra_headers = {**self._extra_headers, **headers}
            view._headers = view._request_headers()
        view._owns_http = False
        return view

    @staticmethod
    def _request_call(
        method: Method,
        path: str,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str | int] | None,
    ) -> Call[Any]:
        if not path.startswith("/") or "?" in path or "#" in path:
            raise ValueError(f"path must start with '/' and hold no query, got {path!r}")
        if params:
            path = f"{path}?{urlencode(params)}"
        fields = dict(body or {})
        key = fields.pop("idempotencyKey", None)
        return Call(method, path, fields if method in {"POST", "PUT"} else None, key, None, False)

    def _request_headers(self) -> RequestHeaders:
        if self._owns_http:
            # Our own client carries the SDK's headers as defaults and nobody else changes
            # them: merge them in once here rather than on every request.
            return request_headers(self._extra_headers, {}, defaults=self._http.headers)
        return request_headers(self._extra_headers, self._sdk_headers())

    def _sdk_headers(self) -> dict[str, str]:
        return sdk_headers(self._api_key.reveal())

    def _build_request(self, request: PreparedRequest) -> _http.Request:
        """The library's request for one attempt, as ``http_client.request(...)`` builds it."""
        if self._headers.complete:
            # What ``build_request`` would do for our own client (no base URL, no params),
            # minus its per-call merge of the client's headers: they are already in.
            return _http.Request(
                request.method,
                request.url,
                headers=request.headers,
                content=request.content,
                cookies=self._http.cookies,
                extensions={"timeout": self._timeout_dict},
            )
        return self._http.build_request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.content,
            timeout=self._http_timeout,
        )

    def _default_sleep(self) -> Z:
        raise NotImplementedError

    def _exchange(self, call: Call[T]) -> Exchange[T]:
        return Exchange(self, call)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


# The bits a version 4 UUID fixes: the version nibble (4) and the RFC 4122 variant (0b10).
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def _uuid4() -> str:
    """A random version 4 UUID, as ``str(uuid.uuid4())`` makes it.

    Built here from ``os.urandom`` as ``uuid4`` does, because ``import uuid`` (with
    ``platform``) would cost ``import kraty_admin`` about 2 ms.
    """
    value = int.from_bytes(os.urandom(16), "big") & _UUID4_CLEAR | _UUID4_SET
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
