"""The synchronous client, :class:`KratyAdmin`."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

import httpx

from kraty_admin._base_client import BaseClient
from kraty_admin._core import Call
from kraty_admin._resources._endpoint import SyncSender
from kraty_admin._resources.migrate import SyncMigrate

T = TypeVar("T")


class KratyAdmin(BaseClient[SyncSender, httpx.Client, Callable[[float], object]]):
    """Synchronous client for the Kraty ``/server/v1`` admin API.

    One instance is safe to share between threads; keep one per process. ``api_key`` and
    ``base_url`` fall back to ``KRATY_SERVER_KEY`` and ``KRATY_BASE_URL``. Pass ``http_client``
    to reuse your own ``httpx.Client`` (``close()`` then leaves it open).

    For tests, the keyword-only ``clock``, ``sleep`` (default ``time.sleep``) and ``uniform``
    replace the wall clock, the wait between retries and the jitter draw, so retries run
    without waiting and without patching ``time`` or ``random``.
    """

    migrate: SyncMigrate

    _migrate_class = SyncMigrate

    def _new_http_client(self) -> httpx.Client:
        return httpx.Client()

    def _default_sleep(self) -> Callable[[float], object]:
        return time.sleep

    def _send(self, call: Call[T]) -> T:
        exchange = self._exchange(call)
        request = exchange.request
        while True:
            exchange.begin()
            try:
                response = self._http.request(
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
            self._sleep(delay)

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
