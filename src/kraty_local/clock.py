"""Injectable time: the wall clock for real runs, a hand-driven clock for tests."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """Source of time for everything in Kraty Local that depends on it (TTLs, expiries, limits)."""

    def now(self) -> datetime:
        """The current time as a timezone-aware UTC datetime."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for rate limiting)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()


class FakeClock:
    """A clock that only moves when told to; thread-safe.

    With ``real_intervals=True`` the monotonic clock (rate-limit refills) also follows real
    time, so long test runs are not throttled forever, while the calendar (``now()``: expiries,
    TTLs, webhook schedules) still moves only by :meth:`advance`.
    """

    def __init__(self, start: datetime | None = None, *, real_intervals: bool = False) -> None:
        """Start at ``start`` (default 2030-01-01T00:00:00Z); must be timezone-aware."""
        start = start or datetime(2030, 1, 1, tzinfo=timezone.utc)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start.astimezone(timezone.utc)
        self._elapsed = 0.0
        self._real_origin = time.monotonic() if real_intervals else None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The fake current time."""
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        """Seconds advanced since creation (plus real seconds, with ``real_intervals``)."""
        with self._lock:
            if self._real_origin is None:
                return self._elapsed
            return self._elapsed + time.monotonic() - self._real_origin

    def advance(self, by: timedelta | float) -> None:
        """Move time forward by a ``timedelta`` or a number of seconds."""
        delta = by if isinstance(by, timedelta) else timedelta(seconds=by)
        if delta < timedelta(0):
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += delta
            self._elapsed += delta.total_seconds()
