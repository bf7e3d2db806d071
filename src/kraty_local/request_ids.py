"""Request ids: every answer carries ``X-Request-Id``, and error envelopes carry ``requestId``.

A caller may send its own id (up to 128 characters of letters, digits and ``._:-``); anything
else is ignored and a fresh ``req_<hex>`` is generated. The id is logged with the request's
outcome, so an operator can find the line a support ticket quotes.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-Id"
#: Where the id is kept in the ASGI scope, for anything below that wants it.
SCOPE_KEY = "kraty.request_id"
_SAFE = re.compile(r"[A-Za-z0-9._:-]{1,128}")

logger = logging.getLogger("kraty_local.requests")


def request_id_for(sent: str | None) -> str:
    """The caller's id when it is sane, else a new one."""
    if sent is not None and _SAFE.fullmatch(sent):
        return sent
    return f"req_{uuid.uuid4().hex}"


class RequestIdMiddleware:
    """Outermost: assign the id, add the header, stamp error envelopes, log the outcome."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with the id in ``scope[SCOPE_KEY]`` and on the response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_for(Headers(scope=scope).get(HEADER))
        started = time.perf_counter()
        held: Message | None = None
        chunks: list[bytes] = []

        async def stamped_send(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(HEADER, request_id)
                _log(scope, message["status"], request_id, started)
                if message["status"] >= 400:
                    held = message  # an error: its envelope gets the id once it is complete
                    return
            elif message["type"] == "http.response.body" and held is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = _stamp(b"".join(chunks), request_id)
                MutableHeaders(scope=held)["content-length"] = str(len(body))
                await send(held)
                message = {"type": "http.response.body", "body": body}
            await send(message)

        await self.app({**scope, SCOPE_KEY: request_id}, receive, stamped_send)


def _stamp(body: bytes, request_id: str) -> bytes:
    """The error envelope ``body`` with ``error.requestId`` set; other bodies unchanged."""
    try:
        payload = json.loads(body)
    except ValueError:
        return body
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return body
    error["requestId"] = request_id
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _log(scope: Scope, status: int, request_id: str, started: float) -> None:
    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info(
        "%s %s -> %d in %.1f ms request_id=%s",
        scope.get("method"),
        scope.get("path"),
        status,
        elapsed_ms,
        request_id,
    )
