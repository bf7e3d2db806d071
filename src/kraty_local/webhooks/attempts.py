"""Delivery attempts as they happen: the dispatcher publishes, open streams subscribe.

The dispatcher runs in its own thread and calls :meth:`AttemptHub.publish` after each pass;
every subscriber lives in an asyncio event loop (an SSE stream of ``/_local/webhooks``) and is
handed the attempts to its endpoint through ``loop.call_soon_threadsafe``, so publishing never
blocks on a slow stream and a stream never polls.

The hub is in-process; on PostgreSQL, where several processes may serve one database, the
dispatchers NOTIFY their attempts instead and a relay feeds every process's hub
(:mod:`kraty_local.webhooks.notify`).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from kraty_local.timefmt import iso, iso_or_none
from kraty_local.webhooks.deliveries import Claimed, Result

#: One attempt to post one delivery, as streams report it (JSON-ready, in camelCase).
Attempt = dict[str, Any]


def attempt_view(delivery: Claimed, result: Result) -> Attempt:
    """The attempt behind a dispatcher outcome.

    ``attempt`` counts within the delivery's current retry cycle (a redelivery restarts it);
    ``status`` is ``delivered``, ``pending`` (retried at ``nextAttemptAt``) or ``dead``.
    """
    return {
        "deliveryId": delivery.id,
        "eventId": delivery.event_id,
        "eventName": delivery.event_name,
        "gameId": delivery.game_id,
        "endpointUrl": delivery.endpoint_url,
        "attempt": delivery.attempt,
        "at": iso(result.at),
        "status": result.status,
        "httpStatus": result.http_status,
        "error": result.error,
        "nextAttemptAt": iso_or_none(result.next_attempt_at),
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


def _no_feed() -> None:
    """The default ``start_feed``: the dispatcher publishes into the hub itself."""


class AttemptHub:
    """Fans attempts out to the subscriptions of their ``(game id, endpoint url)``.

    ``start_feed`` starts whatever else publishes into the hub (on PostgreSQL, the relay of
    :mod:`kraty_local.webhooks.notify`); :meth:`ready` calls it.
    """

    def __init__(self, start_feed: Callable[[], None] = _no_feed) -> None:
        """No subscribers yet."""
        self._start_feed = start_feed
        self._lock = threading.Lock()
        self._subscriptions: set[Subscription] = set()
        self._closed = False

    def ready(self) -> None:
        """Make sure attempts flow in; call before :meth:`subscribe`, off the event loop."""
        self._start_feed()

    def publish(self, attempts: Iterable[Attempt]) -> None:
        """Hand each attempt to the subscriptions of its endpoint (any thread, never blocks)."""
        with self._lock:
            subscriptions = list(self._subscriptions)
        for attempt in attempts:
            target = (attempt["gameId"], attempt["endpointUrl"])
            for subscription in subscriptions:
                if subscription.target == target:
                    subscription.push(attempt)

    def publish_outcomes(self, outcomes: Sequence[tuple[Claimed, Result]]) -> None:
        """:meth:`publish` the attempts behind dispatcher outcomes."""
        self.publish(attempt_view(delivery, result) for delivery, result in outcomes)

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
