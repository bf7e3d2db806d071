"""The asynchronous client, :class:`KratyAdminAsync` (asyncio, or trio through anyio)."""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

import anyio
import httpx

from kraty_admin._base_client import BaseClient
from kraty_admin._core import Call
from kraty_admin._resources._endpoint import AsyncSender
from kraty_admin._resources.migrate import AsyncMigrate

T = TypeVar("T")


class KratyAdminAsync(BaseClient[AsyncSender, httpx.AsyncClient]):
    """Asynchronous client with exactly the surface of :class:`KratyAdmin`; methods are awaited.

    Safe to share between many concurrent tasks. Pass ``http_client`` to reuse your own
    ``httpx.AsyncClient`` (``aclose()`` then leaves it open).
    """

    migrate: AsyncMigrate

    _migrate_class = AsyncMigrate

    def _new_http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient()

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
            await anyio.sleep(delay)

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
