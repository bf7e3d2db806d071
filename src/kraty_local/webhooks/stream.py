"""The Server-Sent Events stream of one run-time endpoint's delivery attempts.

Events, each a ``data:`` line of JSON:

- ``ready``: once, first: the endpoint (``id``, ``gameId``, ``url``, ``expiresAt``) with
  ``heartbeatSeconds`` and ``expiryAfterSeconds``;
- ``attempt``: every attempt to post a delivery to the endpoint's URL, as the dispatcher makes
  it (:func:`kraty_local.webhooks.attempts.attempt_view`; redeliveries included);
- ``removed``: the endpoint was removed (by its listener, another client or expiry): the
  stream ends.

Every ``heartbeatSeconds`` the stream sends a ``: heartbeat`` comment and pushes the endpoint's
expiry ``expiryAfterSeconds`` ahead, so an endpoint lives while a stream is open and expires
that long after the last one closed. The stream also ends when the server stops.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from kraty_local.db import run_transaction
from kraty_local.domain.errors import Busy
from kraty_local.runtime import Runtime
from kraty_local.webhooks import deliveries

logger = logging.getLogger("kraty_local.webhooks")

MEDIA_TYPE = "text/event-stream"
HEARTBEAT = ": heartbeat\n\n"


def sse(event: str, data: Mapping[str, Any]) -> str:
    """One Server-Sent Event with a JSON ``data`` line (no ``id``: a stream is not resumable)."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def expiry(runtime: Runtime) -> datetime:
    """When an endpoint kept alive now expires."""
    settings = runtime.settings
    return settings.clock.now() + timedelta(seconds=settings.webhook_listen_expiry_seconds)


def _keep_alive(runtime: Runtime, endpoint_id: str) -> bool:
    """Push the endpoint's expiry forward; False when it is gone (blocking I/O).

    A database too busy to answer does not end the stream: the expiry is several heartbeats
    away, and the next heartbeat tries again.
    """
    until = expiry(runtime)
    try:
        return run_transaction(
            runtime.engine, lambda conn: deliveries.keep_endpoint(conn, endpoint_id, until)
        )
    except (Busy, SQLAlchemyError):
        logger.warning("could not keep temporary webhook endpoint %s alive", endpoint_id)
        return True


async def attempt_events(runtime: Runtime, endpoint: Mapping[str, str]) -> AsyncIterator[str]:
    """The stream of ``endpoint`` (a :func:`deliveries.list_endpoints` row; see the module doc)."""
    settings = runtime.settings
    heartbeat = settings.webhook_listen_heartbeat_seconds
    with runtime.attempts.subscribe(endpoint["gameId"], endpoint["url"]) as subscription:
        yield sse(
            "ready",
            {
                **endpoint,
                "heartbeatSeconds": heartbeat,
                "expiryAfterSeconds": settings.webhook_listen_expiry_seconds,
            },
        )
        beat_at = time.monotonic() + heartbeat
        while True:
            wait = beat_at - time.monotonic()
            if wait <= 0:
                if not await run_in_threadpool(_keep_alive, runtime, endpoint["id"]):
                    yield sse("removed", {"id": endpoint["id"]})
                    return
                yield HEARTBEAT
                beat_at = time.monotonic() + heartbeat
                continue
            try:
                attempt = await subscription.next(wait)
            except asyncio.TimeoutError:
                continue
            if attempt is None:  # the server is stopping
                return
            yield sse("attempt", attempt)
