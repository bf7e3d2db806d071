"""The asynchronous client, :class:`KratyAdminAsync` (asyncio, or trio through anyio)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from kraty_admin import _http
from kraty_admin._base_client import BaseClient, Exchange
from kraty_admin._core import Call, Method
from kraty_admin._resources._endpoint import AsyncSender, RawAsyncSender
from kraty_admin._resources._namespaces import namespace

if TYPE_CHECKING:
    from kraty_admin._raw import RawResponses
    from kraty_admin._resources.migrate import AsyncMigrate
    from kraty_admin._response import RawResponse

T = TypeVar("T")


class KratyAdminAsync(
    BaseClient[AsyncSender, _http.AsyncClient, Callable[[float], Awaitable[object]]]
):
    """Asynchronous client with exactly the surface of :class:`KratyAdmin`; methods are awaited.

    Safe to share between many concurrent tasks. Pass ``http_client`` to reuse your own
    ``httpx2.AsyncClient`` (``httpx.AsyncClient`` on Python 3.10; ``aclose()`` then leaves it
    open). ``clock``, ``sleep`` (default
    ``anyio.sleep``, an async function) and ``uniform`` are for tests, as on ``KratyAdmin``.
    """

    _http_client_class = _http.AsyncClient

    migrate: namespace[AsyncMigrate] = namespace("migrate", "AsyncMigrate")

    def _default_sleep(self) -> Callable[[float], Awaitable[object]]:
        import anyio  # imported on first use: the sync client never needs it

        return anyio.sleep

    async def _respond(self, call: Call[T]) -> tuple[Exchange[T], _http.Response]:
        """Send ``call``, retrying as configured; the exchange and its final response."""
        exchange = self._exchange(call)
        request = exchange.request
        while True:
            exchange.begin()
            try:
                response = await self._http.send(self._build_request(request))
            except _http.HTTPError as exc:
                delay = exchange.failed(exc)
            else:
                answer_delay = exchange.answered(response)
                if answer_delay is None:
                    return exchange, response
                delay = answer_delay
            await self._sleep(delay)

    async def _send(self, call: Call[T]) -> T:
        exchange, response = await self._respond(call)
        return exchange.result(response)

    @functools.cached_property
    def with_raw_response(self) -> RawResponses[RawAsyncSender]:
        """Every endpoint again, returning a :class:`~kraty_admin.RawResponse` (awaited)."""
        from kraty_admin._raw import RawResponses

        return RawResponses(_RawSender(self))

    async def request(
        self,
        method: Method,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """Call a route the SDK does not wrap yet; see :meth:`KratyAdmin.request`."""
        return await self._send(self._request_call(method, path, body, params))

    async def aclose(self) -> None:
        """Close the underlying HTTP connections (unless ``http_client`` was passed in)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> KratyAdminAsync:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class _RawSender:
    """Sends calls through a :class:`KratyAdminAsync` and returns their raw responses."""

    def __init__(self, client: KratyAdminAsync) -> None:
        self._client = client

    async def _send(self, call: Call[T]) -> RawResponse[T]:
        exchange, response = await self._client._respond(call)
        return exchange.raw(response)
