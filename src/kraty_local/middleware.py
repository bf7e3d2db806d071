"""ASGI middleware, outermost first: catch-all 500, raw-path routing, auth + rate limit, body cap.

Each is a plain ASGI wrapper that answers with the error envelope itself when it refuses a
request, so even failures before routing look like every other API error.
"""

from __future__ import annotations

import logging
from urllib.parse import quote_from_bytes

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kraty_local.api.deps import PRINCIPAL_SCOPE_KEY
from kraty_local.domain.errors import DomainError, RateLimited
from kraty_local.errors import ApiError, api_error
from kraty_local.request_ids import SCOPE_KEY as REQUEST_ID_SCOPE_KEY
from kraty_local.runtime import runtime_of
from kraty_local.world import CLIENT_SDK, SERVER_INTEGRATION

logger = logging.getLogger("kraty_local")
_VISIBLE_ASCII = bytes(range(0x21, 0x7F))


class CatchAllMiddleware:
    """Any unhandled exception becomes a logged ``500 internal_error`` envelope."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; on an exception answer 500 unless a response already started."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception(
                "unhandled error in %s %s request_id=%s",
                scope.get("method"),
                scope.get("path"),
                scope.get(REQUEST_ID_SCOPE_KEY),
            )
            if not started:
                error = ApiError(500, "internal_error", "Internal server error.")
                await error.response()(scope, receive, send)


class RawPathMiddleware:
    """Route on the still-encoded path so ``%2F`` inside an id is never a separator.

    Bytes outside visible ASCII (which h11 never lets through, but other servers might) are
    percent-encoded, so the path is ASCII and each parameter type (``api.strings``) decodes
    its segment exactly once, strictly.
    """

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Replace ``scope["path"]`` with the raw path (query string excluded)."""
        raw = scope.get("raw_path") if scope["type"] == "http" else None
        if raw:
            path = quote_from_bytes(bytes(raw).split(b"?", 1)[0], safe=_VISIBLE_ASCII)
            scope = {**scope, "path": path}
        await self.app(scope, receive, send)


class GateMiddleware:
    """Authenticate every API request and apply the per-key rate limit."""

    def __init__(
        self, app: ASGIApp, prefixes: tuple[str, ...], client_prefixes: tuple[str, ...] = ()
    ) -> None:
        """Guard paths under ``prefixes`` (server keys) and ``client_prefixes`` (``client_sdk``
        keys); keys and limits come from the running app's runtime."""
        self.app = app
        self.client_prefixes = tuple(prefix + "/" for prefix in client_prefixes)
        self.prefixes = (*(prefix + "/" for prefix in prefixes), *self.client_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """401/403 without a usable key, 429 over the limit; else record the principal."""
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        runtime = runtime_of(scope["app"])
        try:
            permission_set = (
                CLIENT_SDK if scope["path"].startswith(self.client_prefixes) else SERVER_INTEGRATION
            )
            principal = runtime.keyring.authenticate(
                Headers(scope=scope).get("authorization"), permission_set
            )
            wait = runtime.limiter.acquire(principal.prefix)
            if wait is not None:
                raise RateLimited(wait)
        except DomainError as err:
            await api_error(err).response()(scope, receive, send)
            return
        await self.app({**scope, PRINCIPAL_SCOPE_KEY: principal}, receive, send)


class BodyLimitMiddleware:
    """Buffer request bodies up to ``max_bytes``; larger ones get ``413 validation_failed``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        """Cap bodies at ``max_bytes``."""
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the whole body (so the app never sees a partial one), then pass it on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        too_big = declared.isdigit() and int(declared) > self.max_bytes
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            too_big = too_big or size > self.max_bytes
            if not too_big:
                chunks.append(chunk)
            more = message.get("more_body", False)
        if too_big:
            limit = self.max_bytes
            error = ApiError(
                413,
                "validation_failed",
                f"Request body exceeds {limit} bytes.",
                [{"field": "body", "message": f"larger than {limit} bytes"}],
            )
            await error.response()(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)
