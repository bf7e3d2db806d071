"""The per-attempt telemetry record; loaded with the first ``on_request`` report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    """What the ``on_request`` hook receives after every HTTP attempt, retries included.

    ``request_id`` is the server's ``X-Request-Id`` for the attempt (``None`` without one).
    """

    method: str
    url: str
    attempt: int
    idempotency_key: str | None
    duration_ms: float | None
    status: int | None
    ok: bool
    request_id: str | None = None
