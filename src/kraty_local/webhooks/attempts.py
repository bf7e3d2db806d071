"""Delivery attempts as they happen: the dispatcher publishes, open streams subscribe.

The dispatcher runs in its own thread and calls :meth:`AttemptHub.publish` after each pass;
every subscriber lives in an asyncio event loop (an SSE stream of ``/_local/webhooks``) and is
handed the attempts to its endpoint through ``loop.call_soon_threadsafe``, so publishing never
blocks on a slow stream and a stream never polls.

The hub is in-process: with several server processes each stream hears the attempts of its own
process's dispatcher only, unless something feeds every process's hub (see
:mod:`kraty_local.webhooks.notify` on PostgreSQL).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kraty_local.timefmt import iso, iso_or_none
from kraty_local.webhooks.deliveries import Claimed, Result


@dataclass(frozen=True)
class Attempt:
    """One attempt to post one delivery, as streams report it."""

    delivery_id: int
    event_id: str
    event_name: str
    game_id: str
    endpoint_url: str
    attempt: int  # 1-based within the delivery's current retry cycle (a redelivery restarts it)
    at: datetime
    status: str  # delivered | pending (a retry is due at next_attempt_at) | dead
    http_status: int | None
    error: str | None
    next_attempt_at: datetime | None

    @classmethod
    def of(cls, delivery: Claimed, result: Result) -> Attempt:
        """The attempt behind a dispatcher outcome."""
        return cls(
            delivery.id,
            delivery.event_id,
            delivery.event_name,
            delivery.game_id,
            delivery.endpoint_url,
            delivery.attempt,
            result.at,
            result.status,
            result.http_status,
            result.error,
            result.next_attempt_at,
        )

    def view(self) -> dict[str, Any]:
        """JSON-ready, in the wire's camelCase."""
        return {
            "deliveryId": self.delivery_id,
            "eventId": self.event_id,
            "eventName": self.event_name,
            "gameId": self.game_id,
            "endpointUrl": self.endpoint_url,
            "attempt": self.attempt,
            "at": iso(self.at),
            "status": self.status,
            "httpStatus": self.http_status,
            "error": self.error,
            "nextAttemptAt": iso_or_none(self.next_attempt_at),
        }


class Subscription:
    """The attempts to one endpoint, queued for one stream in its event loop."""

    def __init__(self, target: tuple[str, str]) -> None:
        """Subscribe from inside the event loop that will read it."""
        self.target = target
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Attempt | None] = asyncio.Queue()

    def push(self, attempt: Attempt | None) -> None:
        """Queue ``attempt`` (``None``: the hub closed) from any thread."""
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is reading any more
            self._loop.call_soon_threadsafe(self._queue.put_nowait, attempt)

    async def next(self, timeout: float) -> Attempt | None:
        """The next attempt; ``None`` once the hub closed; ``TimeoutError`` after ``timeout``."""
        return await asyncio.wait_for(self._queue.get(), timeout)


class AttemptHub:
    """Fans attempts out to the subscriptions of their ``(game id, endpoint url)``."""

    def __init__(self) -> None:
        """No subscribers yet."""
        self._lock = threading.Lock()
        self._subscriptions: set[Subscription] = set()
        self._closed = False

    def publish(self, attempts: Iterable[Attempt]) -> None:
        """Hand each attempt to the subscriptions of its endpoint (any thread, never blocks)."""
        with self._lock:
            subscriptions = list(self._subscriptions)
        for attempt in attempts:
            target = (attempt.game_id, attempt.endpoint_url)
            for subscription in subscriptions:
                if subscription.target == target:
                    subscription.push(attempt)

    def publish_outcomes(self, outcomes: Sequence[tuple[Claimed, Result]]) -> None:
        """:meth:`publish` the attempts behind dispatcher outcomes."""
        self.publish(Attempt.of(delivery, result) for delivery, result in outcomes)

    @contextmanager
    def subscribe(self, game_id: str, endpoint_url: str) -> Iterator[Subscription]:
        """Receive the attempts to one endpoint while the block runs (in an event loop)."""
        subscription = Subscription((game_id, endpoint_url))
        with self._lock:
            if self._closed:
                subscription.push(None)
            self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            with self._lock:
                self._subscriptions.discard(subscription)

    def close(self) -> None:
        """End every subscription, now and to come (the server is stopping)."""
        with self._lock:
            self._closed = True
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.push(None)
