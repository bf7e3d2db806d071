"""Kraty Local without a socket: the SDK's HTTP clients calling the ASGI app in-process.

The async client takes the HTTP library's own ``ASGITransport`` (httpx2, or httpx on Python
3.10); :class:`PortalTransport` is its synchronous counterpart, running the app on the event
loop of an anyio blocking portal. Neither runs the app's lifespan: open the runtime first
(``kraty_local.app.running``, or a :class:`~kraty_local.shared_server.SharedServer`'s
``serving``). What needs a real socket (the CLI, webhook receivers, several processes, a killed
server) keeps one.

>>> with start_blocking_portal() as portal:  # doctest: +SKIP
...     http = httpx2.Client(transport=PortalTransport(app, portal))
...     KratyAdmin(api_key=key, base_url="http://kraty.local", http_client=http)
"""

from __future__ import annotations

from typing import Any

from anyio.from_thread import BlockingPortal

from kraty_admin import _http


class PortalTransport(_http.BaseTransport):
    """A synchronous transport (of the SDK's HTTP library) handing each request to an ASGI app
    on ``portal``."""

    def __init__(self, app: Any, portal: BlockingPortal) -> None:
        """Serve ``app`` (any ASGI application) on the portal's event loop."""
        self._asgi = _http.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: _http.Request) -> _http.Response:
        """Run the app for ``request`` and return its complete response."""
        body = request.read()
        forwarded = _http.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=body,
            extensions=request.extensions,
        )

        async def exchange() -> tuple[int, _http.Headers, bytes]:
            response = await self._asgi.handle_async_request(forwarded)
            try:
                return response.status_code, response.headers, await response.aread()
            finally:
                await response.aclose()

        status, headers, content = self._portal.call(exchange)
        return _http.Response(status, headers=headers, stream=_http.ByteStream(content))
