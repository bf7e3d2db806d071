"""The asynchronous client, :class:`KratyAdminAsync` (asyncio, or trio through anyio)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TypeVar

import httpx

from kraty_admin._base_client import BaseClient
from kraty_admin._core import Call
from kraty_admin._resources._endpoint import AsyncSender
from kraty_admin._resources.migrate import AsyncMigrate

T = TypeVar("T")


class KratyAdminAsync(
    BaseClient[AsyncSender, httpx.AsyncClient, Callable[[float], Awaitable[object]]]
):
    """Asynchronous client with exactly the surface of :class:`KratyAdmin`; methods are awaited.

    Safe to share between many concurrent tasks. Pass ``http_client`` to reuse your own
    ``httpx.AsyncClient`` (``aclose()`` then leaves it open). ``clock``, ``sleep`` (default
    ``anyio.sleep``, an async function) and ``uniform`` are for tests, as on ``KratyAdmin``.
    """

    migrate: AsyncMigrate

    _migrate_class = AsyncMigrate

    def _new_http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient()

    def _default_sleep(self) -> Callable[[float], Awaitable[object]]:
        import anyio  # imported on first use: the sync client never needs it

        return anyio.sleep

    async def _send(self, call: Call[T]) -> T:
        exchange = self._exchange(call)
        request = exchange.request
        while True:
            exchange.begin()
            try:
                response = await self._http.request(
                    request.method,
                    request.url,
                    headers=request.headers,
                    content=request.content,
                    timeout=self.timeout,
                )
            except httpx.HTTPError as exc:
                delay = exchange.failed(exc)
            else:
                answer_delay = exchange.answered(response)
                if answer_delay is None:
                    return exchange.result(response)
                delay = answer_delay
            await self._sleep(delay)

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
