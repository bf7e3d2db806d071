"""The synchronous client, :class:`KratyAdmin`."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from kraty_admin import _http
from kraty_admin._base_client import BaseClient, Exchange
from kraty_admin._core import Call, Method
from kraty_admin._resources._endpoint import RawSyncSender, SyncSender
from kraty_admin._resources._namespaces import namespace

if TYPE_CHECKING:
    from kraty_admin._raw import RawResponses
    from kraty_admin._resources.migrate import SyncMigrate
    from kraty_admin._response import RawResponse

T = TypeVar("T")


class KratyAdmin(BaseClient[SyncSender, _http.Client, Callable[[float], object]]):
    """Synchronous client for the Kraty ``/server/v1`` admin API.

    One instance is safe to share between threads; keep one per process. ``api_key`` and
    ``base_url`` fall back to ``KRATY_SERVER_KEY`` and ``KRATY_BASE_URL``. Pass ``http_client``
    to reuse your own ``httpx2.Client`` (``httpx.Client`` on Python 3.10; ``close()`` then
    leaves it open).

    For tests, the keyword-only ``clock``, ``sleep`` (default ``time.sleep``) and ``uniform``
    replace the wall clock, the wait between retries and the jitter draw, so retries run
    without waiting and without patching ``time`` or ``random``.
    """

    _http_client_class = _http.Client

    migrate: namespace[SyncMigrate] = namespace("migrate", "SyncMigrate")

    def _default_sleep(self) -> Callable[[float], object]:
        return time.sleep

    def _respond(self, call: Call[T]) -> tuple[Exchange[T], _http.Response]:
        """Send ``call``, retrying as configured; the exchange and its final response."""
        exchange = self._exchange(call)
        request = exchange.request
        while True:
            exchange.begin()
            try:
                response = self._http.send(self._build_request(request))
            except _http.HTTPError as exc:
                delay = exchange.failed(exc)
            else:
                answer_delay = exchange.answered(response)
                if answer_delay is None:
                    return exchange, response
                delay = answer_delay
            self._sleep(delay)

    def _send(self, call: Call[T]) -> T:
        exchange, response = self._respond(call)
        return exchange.result(response)

    @functools.cached_property
    def with_raw_response(self) -> RawResponses[RawSyncSender]:
        """Every endpoint again, returning a :class:`~kraty_admin.RawResponse`."""
        from kraty_admin._raw import RawResponses

        return RawResponses(_RawSender(self))

    def request(
        self,
        method: Method,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """Call a route the SDK does not wrap yet; returns the decoded JSON body as is.

        ``path`` is appended to ``base_url`` (``"/server/v1/..."``). Same auth, idempotency
        stamping (POST and PUT bodies get an ``idempotencyKey`` unless they carry one),
        retries and typed errors as every other method.
        """
        return self._send(self._request_call(method, path, body, params))

    def close(self) -> None:
        """Close the underlying HTTP connections (unless ``http_client`` was passed in)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> KratyAdmin:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _RawSender:
    """Sends calls through a :class:`KratyAdmin` and returns their raw responses."""

    def __init__(self, client: KratyAdmin) -> None:
        self._client = client

    def _send(self, call: Call[T]) -> RawResponse[T]:
        exchange, response = self._client._respond(call)
        return exchange.raw(response)
