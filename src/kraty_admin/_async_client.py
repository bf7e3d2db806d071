"""The asynchronous client, :class:`KratyAdminAsync` (asyncio, or trio through anyio)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

import anyio
import httpx

from kraty_admin._base_client import BaseClient, RequestHook, Timeout
from kraty_admin._config import DEFAULT_TIMEOUT, RetryConfig
from kraty_admin._core import Call
from kraty_admin._resources._endpoint import AsyncSender
from kraty_admin._resources.migrate import AsyncMigrate

T = TypeVar("T")


class KratyAdminAsync(BaseClient[AsyncSender]):
    """Asynchronous client with exactly the surface of :class:`KratyAdmin`; methods are awaited.

    Safe to share between many concurrent tasks. Pass ``http_client`` to reuse your own
    ``httpx.AsyncClient`` (``aclose()`` then leaves it open).
    """

    migrate: AsyncMigrate

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        retry: RetryConfig | None = None,
        http_client: httpx.AsyncClient | None = None,
        generate_idempotency_key: Callable[[], str] | None = None,
        on_request: RequestHook | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            generate_idempotency_key=generate_idempotency_key,
            on_request=on_request,
            migrate=AsyncMigrate,
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient()

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
