"""The dispatcher: posts due deliveries, retries failures with backoff, marks the hopeless dead.

One pass (:meth:`Dispatcher.run_once`) claims a batch of due deliveries in one short
transaction, posts them from a thread pool (the deliveries of one player to one endpoint one
after another, in order; the first failure stops that group for this pass) and records each
outcome in its own transaction. :meth:`Dispatcher.start` runs passes in a background thread:
back to back while there is work, every ``poll_seconds`` when idle. Due-ness is read from the
injected clock, so a ``FakeClock`` drives retries in tests.

Guarantees: at least once. Every delivery is retried on a non-2xx answer or a network error
after ``schedule[n-1]`` seconds (plus or minus 10 % jitter) following its n-th failed attempt;
it is dead after ``len(schedule) + 1`` failed attempts. State lives in the database, so a
restart resumes where the last process stopped; a claimed delivery whose worker died is sent
again once its lease runs out. Several dispatchers (threads or processes, on PostgreSQL) share
the queue without sending a claimed delivery twice.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from sqlalchemy import Engine

from kraty_local.clock import Clock
from kraty_local.db import transaction
from kraty_local.webhooks import deliveries
from kraty_local.webhooks.deliveries import DEAD, DELIVERED, PENDING, Claimed, Result
from kraty_local.webhooks.signer import USER_AGENT, delivery_headers, encode_body
from kraty_local.world import World

logger = logging.getLogger("kraty_local.webhooks")

#: Each retry delay is scaled by a random factor in ``[1 - JITTER, 1 + JITTER]``.
JITTER = 0.1
_ERROR_PREVIEW = 200


class Dispatcher:
    """Delivers the webhook queue of one database (see the module doc)."""

    def __init__(
        self,
        engine: Engine,
        world: World,
        clock: Clock,
        *,
        poll_seconds: float | None = 0.2,
        batch_size: int = 100,
        concurrency: int = 8,
        timeout_seconds: float = 5.0,
        lease_seconds: float = 60.0,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Configure; nothing runs until :meth:`start` (or a call to :meth:`run_once`).

        ``poll_seconds=None`` means no background thread: passes run only when called.
        ``lease_seconds`` must exceed ``timeout_seconds``: a delivery in flight longer than its
        lease may be sent again by another worker.
        """
        self._engine = engine
        self._world = world
        self._clock = clock
        self.poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._lease = timedelta(seconds=lease_seconds)
        self._rng = rng or random.Random()
        self._http = httpx.Client(
            timeout=timeout_seconds,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=concurrency),
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="kraty-webhook")
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background polling thread (unless ``poll_seconds`` is None)."""
        if self.poll_seconds is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="kraty-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling, let attempts in flight finish, and give back unsent claims."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._pool.shutdown(wait=True)
        self._http.close()

    def run_once(self) -> int:
        """One pass: claim due deliveries, post them, record outcomes; returns attempts made."""
        now = self._clock.now()
        with transaction(self._engine) as conn:
            claimed = deliveries.claim(
                conn, now=now, lease_until=now + self._lease, limit=self._batch_size
            )
            secrets = deliveries.endpoint_secrets(
                conn, self._world, {(c.game_id, c.endpoint_url) for c in claimed}
            )
        groups: dict[tuple[str, str], list[Claimed]] = {}
        for delivery in claimed:
            groups.setdefault(delivery.group, []).append(delivery)
        work = [
            (group, secrets[group[0].game_id, group[0].endpoint_url]) for group in groups.values()
        ]
        return sum(self._pool.map(lambda job: self._deliver_group(*job), work))

    def drain(self) -> int:
        """Run passes until nothing is due; returns the attempts made."""
        total = 0
        while made := self.run_once():
            total += made
        return total

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                made = self.run_once()
            except Exception:
                logger.exception("webhook dispatch pass failed")
                made = 0
            if not made:
                self._stopping.wait(self.poll_seconds)

    def _deliver_group(self, group: Sequence[Claimed], secrets: Sequence[str]) -> int:
        """Post a group in order; at the first failure (or on shutdown) release the rest."""
        for index, delivery in enumerate(group):
            if self._stopping.is_set():
                self._release(group[index:])
                return index
            if not self._attempt(delivery, secrets):
                self._release(group[index + 1 :])
                return index + 1
        return len(group)

    def _release(self, unsent: Sequence[Claimed]) -> None:
        with transaction(self._engine) as conn:
            for delivery in unsent:
                deliveries.release(conn, delivery)

    def _attempt(self, delivery: Claimed, secrets: Sequence[str]) -> bool:
        """Post one delivery and record the outcome; True when the receiver answered 2xx."""
        if not secrets:
            result = Result(DEAD, None, "endpoint no longer configured")
        else:
            result = self._post(delivery, secrets)
        try:
            with transaction(self._engine) as conn:
                deliveries.record(conn, delivery, result, self._clock.now())
        except Exception:  # the lease runs out and the delivery is attempted again
            logger.exception("could not record webhook delivery %s", delivery.id)
        return result.status == DELIVERED

    def _post(self, delivery: Claimed, secrets: Sequence[str]) -> Result:
        body = encode_body(delivery.payload)
        headers = delivery_headers(
            body,
            secrets,
            at=self._clock.now(),
            event_id=delivery.event_id,
            event_name=delivery.event_name,
            attempt=delivery.attempt,
        )
        try:
            response = self._http.post(delivery.endpoint_url, content=body, headers=headers)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return self._failed(delivery, None, f"{type(exc).__name__}: {exc}")
        if response.is_success:
            return Result(DELIVERED, response.status_code, None)
        status = response.status_code
        return self._failed(delivery, status, f"HTTP {status} {response.text[:_ERROR_PREVIEW]}")

    def _failed(self, delivery: Claimed, http_status: int | None, error: str) -> Result:
        schedule = self._world.webhook_retry_schedule
        if delivery.attempt > len(schedule):
            return Result(DEAD, http_status, error)
        delay = schedule[delivery.attempt - 1] * (1 + self._rng.uniform(-JITTER, JITTER))
        retry_at = self._clock.now() + timedelta(seconds=delay)
        return Result(PENDING, http_status, error, retry_at)
