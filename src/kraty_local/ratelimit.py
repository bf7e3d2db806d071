"""Per-key token buckets (in memory, per worker process)."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from kraty_local.clock import Clock
from kraty_local.world import RateLimit


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token bucket per key: ``burst`` tokens, refilled at ``requests_per_second``."""

    def __init__(self, limit: RateLimit, clock: Clock) -> None:
        """Buckets start full."""
        self._limit = limit
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> int | None:
        """Take one token; ``None`` when allowed, else the whole seconds until one is free."""
        rate, burst = self._limit.requests_per_second, float(self._limit.burst)
        now = self._clock.monotonic()
        with self._lock:
            bucket = self._buckets.setdefault(key, _Bucket(burst, now))
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return max(1, math.ceil((1.0 - bucket.tokens) / rate))
