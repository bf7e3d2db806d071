"""The one ASGI middleware around the API: every step a request needs before routing, in one layer.

In order: the request id (on every answer, in error envelopes, in the log line), a catch-all
``500 internal_error``, routing on the raw path, authentication and the per-key rate limit, and
the body cap. One layer instead of five: each layer is another coroutine and another ``send``
wrapper on every request. A refusal is answered with the error envelope, so even failures before
routing look like every other API error.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import quote_from_bytes

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kraty_local.api.deps import PRINCIPAL_SCOPE_KEY
from kraty_local.domain.errors import DomainError, RateLimited
from kraty_local.errors import ApiError, api_error
from kraty_local.request_ids import HEADER, SCOPE_KEY, log_outcome, request_id_for, stamp
from kraty_local.runtime import runtime_of
from kraty_local.world import CLIENT_SDK, SERVER_INTEGRATION

logger = logging.getLogger("kraty_local")
_VISIBLE_ASCII = bytes(range(0x21, 0x7F))
_TOO_BIG = b"<too big>"  # compared by identity: stands for a body past the cap


class ApiMiddleware:
    """Request id, catch-all, raw path, auth + rate limit (under the guarded prefixes), body cap."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        guarded: tuple[str, ...],
        client_guarded: tuple[str, ...] = (),
        max_body_bytes: int,
    ) -> None:
        """Wrap ``app``; paths under ``guarded`` need a server key, under ``client_guarded`` a
        ``client_sdk`` key; bodies up to ``max_body_bytes``."""
        self.app = app
        self.client_guarded = tuple(prefix + "/" for prefix in client_guarded)
        self.guarded = (*(prefix + "/" for prefix in guarded), *self.client_guarded)
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request (other ASGI events pass through untouched)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = request_id_for(headers.get(HEADER))
        scope = {**scope, SCOPE_KEY: request_id, "path": raw_path(scope)}
        reply = _Reply(scope, send, request_id)
        try:
            await self._serve(scope, headers, receive, reply.send)
        except Exception:
            logger.exception(
                "unhandled error in %s %s request_id=%s",
                scope.get("method"),
                scope.get("path"),
                request_id,
            )
            if not reply.started:
                error = ApiError(500, "internal_error", "Internal server error.")
                await error.response()(scope, receive, reply.send)

    async def _serve(self, scope: Scope, headers: Headers, receive: Receive, send: Send) -> None:
        path = scope["path"]
        if path.startswith(self.guarded):
            runtime = runtime_of(scope["app"])
            client = path.startswith(self.client_guarded)
            try:
                principal = runtime.keyring.authenticate(
                    headers.get("authorization"), CLIENT_SDK if client else SERVER_INTEGRATION
                )
                wait = runtime.limiter.acquire(principal.prefix)
                if wait is not None:
                    raise RateLimited(wait)
            except DomainError as err:
                await api_error(err).response()(scope, receive, send)
                return
            scope[PRINCIPAL_SCOPE_KEY] = principal
        body = await self._read_body(receive)
        if body is None:  # the client went away
            return
        if body is _TOO_BIG or _declares_more(headers, self.max_body_bytes):
            limit = self.max_body_bytes
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
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body (so the app never sees a partial one), :data:`_TOO_BIG` past the cap,
        ``None`` on a disconnect."""
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= self.max_body_bytes:
                chunks.append(chunk)
            more = message.get("more_body", False)
        if size > self.max_body_bytes:
            return _TOO_BIG
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _declares_more(headers: Headers, limit: int) -> bool:
    declared = headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit


def raw_path(scope: Scope) -> str:
    """The still-encoded path (query excluded), so ``%2F`` inside an id is never a separator.

    Bytes outside visible ASCII (which h11 never lets through, but other servers might) are
    percent-encoded, so the path is ASCII and each parameter type (``api.strings``) decodes its
    segment exactly once, strictly.
    """
    raw = scope.get("raw_path")
    if not raw:
        return str(scope["path"])
    return quote_from_bytes(bytes(raw).split(b"?", 1)[0], safe=_VISIBLE_ASCII)


class _Reply:
    """The ``send`` of one request: adds ``X-Request-Id``, logs the outcome, and holds an error
    answer back until its body is complete to stamp ``error.requestId`` into it."""

    def __init__(self, scope: Scope, send: Send, request_id: str) -> None:
        self.scope = scope
        self.downstream = send
        self.request_id = request_id
        self.started = False
        self.began = time.perf_counter()
        self.held: Message | None = None
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            MutableHeaders(scope=message).append(HEADER, self.request_id)
            log_outcome(self.scope, message["status"], self.request_id, self.began)
            if message["status"] >= 400:
                self.held = message  # an error: its envelope gets the id once it is complete
                return
        elif message["type"] == "http.response.body" and self.held is not None:
            self.chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = stamp(b"".join(self.chunks), self.request_id)
            MutableHeaders(scope=self.held)["content-length"] = str(len(body))
            await self.downstream(self.held)
            message = {"type": "http.response.body", "body": body}
        await self.downstream(message)
