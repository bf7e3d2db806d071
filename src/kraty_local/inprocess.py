"""Kraty Local without a socket: the SDK's httpx clients calling the ASGI app in-process.

The async client takes httpx's own ``ASGITransport``; :class:`PortalTransport` is its synchronous
counterpart, running the app on the event loop of an anyio blocking portal. Neither runs the
app's lifespan: open the runtime first (``kraty_local.app.running``, or a
:class:`~kraty_local.shared_server.SharedServer`'s ``serving``). What needs a real socket (the
CLI, webhook receivers, several processes, a killed server) keeps one.

>>> with start_blocking_portal() as portal:  # doctest: +SKIP
...     http = httpx.Client(transport=PortalTransport(app, portal))
...     KratyAdmin(api_key=key, base_url="http://kraty.local", http_client=http)
"""

from __future__ import annotations

from typing import Any

import httpx
from anyio.from_thread import BlockingPortal


class PortalTransport(httpx.BaseTransport):
    """A synchronous httpx transport that hands each request to an ASGI app on ``portal``."""

    def __init__(self, app: Any, portal: BlockingPortal) -> None:
        """Serve ``app`` (any ASGI application) on the portal's event loop."""
        self._asgi = httpx.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run the app for ``request`` and return its complete response."""
        body = request.read()
        forwarded = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=body,
            extensions=request.extensions,
        )

        async def exchange() -> tuple[int, httpx.Headers, bytes]:
            response = await self._asgi.handle_async_request(forwarded)
            try:
                return response.status_code, response.headers, await response.aread()
            finally:
                await response.aclose()

        status, headers, content = self._portal.call(exchange)
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content))
