"""Request ids: every answer carries ``X-Request-Id``, and error envelopes carry ``requestId``.

The API middleware (:mod:`kraty_local.middleware`) assigns it. A caller may send its own id (up
to 128 characters of letters, digits and ``._:-``); anything else is ignored and a fresh
``req_<hex>`` is generated. The id is logged with the request's outcome, so an operator can find
the line a support ticket quotes.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.types import Scope

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


def stamp(body: bytes, request_id: str) -> bytes:
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


def log_outcome(scope: Scope, status: int, request_id: str, started: float) -> None:
    """Log the request's answer with its id and how long it took (``started``: perf_counter)."""
    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info(
        "%s %s -> %d in %.1f ms request_id=%s",
        scope.get("method"),
        scope.get("path"),
        status,
        elapsed_ms,
        request_id,
    )
