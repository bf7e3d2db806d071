"""The dispatcher: posts due deliveries, retries failures with backoff, marks the hopeless dead.

One pass (:meth:`Dispatcher.run_once`) claims a batch of due deliveries in one short
transaction, posts them from a thread pool (the deliveries of one player to one endpoint one
after another, in order; the first failure stops that group for this pass) and records all
outcomes in one transaction at the end of the pass (a process that dies mid-pass sends that
pass's deliveries again after the lease), then hands them to ``on_attempts`` (the live streams
of ``webhooks listen``). :meth:`Dispatcher.start` runs passes in a background thread: back to
back while there is work; when idle it sleeps until the next delivery falls due or the next
run-time endpoint expires (:func:`deliveries.next_due`), and wakes at once when a transaction
commits a new event with deliveries (:func:`kraty_local.db.on_signalled_commit`: one of this
process, or on PostgreSQL of another process, relayed by :mod:`kraty_local.webhooks.notify`), at
most ``poll_seconds`` either way (a safety net for a lost notification). A commit asks the
other processes for help only while this dispatcher is in a pass (idle, it takes the commit
itself at once), at most once every ``HELP_SECONDS``: a commit that did not ask waits at worst
for the end of the pass in progress. At most
every ``sweep_seconds`` the same thread also removes the run-time endpoints whose listener is
gone (:meth:`Dispatcher.expire_endpoints`). Due-ness and expiry are read from the injected
clock, so a ``FakeClock`` drives retries in tests.

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
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Engine

from kraty_admin import _http
from kraty_local.clock import Clock
from kraty_local.db import announce_signals_when, on_signalled_commit, transaction
from kraty_local.webhooks import deliveries
from kraty_local.webhooks.deliveries import DEAD, DELIVERED, PENDING, Claimed, Result
from kraty_local.webhooks.signer import USER_AGENT, delivery_headers, encode_body
from kraty_local.world import World

logger = logging.getLogger("kraty_local.webhooks")

#: The shortest time between two calls for help to the other processes' dispatchers.
HELP_SECONDS = 0.05
#: Each retry delay is scaled by a random factor in ``[1 - JITTER, 1 + JITTER]``.
JITTER = 0.1
_ERROR_PREVIEW = 200

#: Told about each pass's attempts once they are recorded (from the dispatcher's thread).
AttemptsCallback = Callable[[Sequence[tuple[Claimed, Result]]], None]


def _ignore(outcomes: Sequence[tuple[Claimed, Result]]) -> None:
    """The default ``on_attempts``."""


class Dispatcher:
    """Delivers the webhook queue of one database (see the module doc)."""

    def __init__(
        self,
        engine: Engine,
        world: World,
        clock: Clock,
        *,
        poll_seconds: float | None = 0.2,
        sweep_seconds: float = 1.0,
        on_attempts: AttemptsCallback = _ignore,
        batch_size: int = 100,
        concurrency: int = 8,
        timeout_seconds: float = 5.0,
        lease_seconds: float = 60.0,
        rng: random.Random | None = None,
        transport: _http.BaseTransport | None = None,
    ) -> None:
        """Configure; nothing runs until :meth:`start` (or a call to :meth:`run_once`).

        ``poll_seconds``: the longest idle sleep; ``None`` means no background thread: passes
        run only when called.
        ``lease_seconds`` must exceed ``timeout_seconds``: a delivery in flight longer than its
        lease may be sent again by another worker.
        """
        self._engine = engine
        self._world = world
        self._clock = clock
        self.poll_seconds = poll_seconds
        self._sweep_seconds = sweep_seconds
        self._on_attempts = on_attempts
        self._batch_size = batch_size
        self._lease = timedelta(seconds=lease_seconds)
        self._rng = rng or random.Random()
        self._new_client = partial(
            _http.Client,
            timeout=timeout_seconds,
            follow_redirects=False,
            limits=_http.Limits(max_connections=concurrency),
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )
        # Built on the first delivery: a client costs an SSL context (~25 ms), which most
        # runtimes (tests, servers with no endpoint) never need.
        self._http: _http.Client | None = None
        self._http_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="kraty-webhook")
        self._stopping = threading.Event()
        self._wakeup = threading.Event()
        self._sleeping = False
        self._helped_at = -HELP_SECONDS
        self._unsubscribe: list[Callable[[], None]] = []
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background polling thread (unless ``poll_seconds`` is None)."""
        if self.poll_seconds is None or self._thread is not None:
            return
        self._unsubscribe = [
            on_signalled_commit(self._engine, self.wake),
            announce_signals_when(self._engine, self._needs_help),
        ]
        self._thread = threading.Thread(target=self._loop, name="kraty-webhooks", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run a pass now (new deliveries were committed)."""
        self._wakeup.set()

    def stop(self) -> None:
        """Stop polling, let attempts in flight finish, and give back unsent claims."""
        self._stopping.set()
        self._wakeup.set()
        while self._unsubscribe:
            self._unsubscribe.pop()()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._pool.shutdown(wait=True)
        if self._http is not None:
            self._http.close()

    def _client(self) -> _http.Client:
        with self._http_lock:
            if self._http is None:
                self._http = self._new_client()
            return self._http

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
        jobs = [
            (group, secrets[group[0].game_id, group[0].endpoint_url], now)
            for group in groups.values()
        ]
        outcomes: list[tuple[Claimed, Result]] = []
        unsent: list[Claimed] = []
        for done, rest in self._pool.map(lambda job: self._deliver_group(*job), jobs):
            outcomes.extend(done)
            unsent.extend(rest)
        try:
            with transaction(self._engine) as conn:
                deliveries.record(conn, outcomes)
                deliveries.release(conn, unsent)
        except Exception:  # the leases run out and these deliveries are attempted again
            logger.exception("could not record %d webhook delivery outcomes", len(outcomes))
        if outcomes:  # made either way: the receivers got them
            try:
                self._on_attempts(outcomes)
            except Exception:  # the live streams miss them; the deliveries list has them
                logger.exception("could not publish %d webhook delivery attempts", len(outcomes))
        return len(outcomes)

    def expire_endpoints(self) -> int:
        """Remove the run-time endpoints whose expiry passed; returns how many."""
        with transaction(self._engine) as conn:
            expired = deliveries.expire_endpoints(conn, self._clock.now())
        if expired:
            logger.info("removed %d temporary webhook endpoint(s) without a listener", expired)
        return expired

    def drain(self) -> int:
        """Run passes until nothing is due; returns the attempts made."""
        total = 0
        while made := self.run_once():
            total += made
        return total

    def _loop(self) -> None:
        next_sweep = 0.0
        while not self._stopping.is_set():
            self._wakeup.clear()  # before the pass: a commit during it wakes the next one
            try:
                made = self.run_once()
                if time.monotonic() >= next_sweep:
                    self.expire_endpoints()
                    next_sweep = time.monotonic() + self._sweep_seconds
                idle = 0.0 if made else self._idle_seconds()
            except Exception:
                logger.exception("webhook dispatch pass failed")
                idle = self.poll_seconds or 0.0
            if idle > 0:
                self._sleeping = True
                self._wakeup.wait(idle)
                self._sleeping = False

    def _needs_help(self) -> bool:
        """Whether a commit now should wake the other processes' dispatchers (module doc)."""
        now = time.monotonic()
        if self._sleeping or now - self._helped_at < HELP_SECONDS:
            return False
        self._helped_at = now
        return True

    def _idle_seconds(self) -> float:
        """How long to sleep: until the next due time, at most ``poll_seconds``."""
        longest, now = self.poll_seconds or 0.0, self._clock.now()
        with transaction(self._engine, write=False) as conn:
            due = deliveries.next_due(conn, now)
        if due is None:
            return longest
        return min(longest, (due - now).total_seconds())

    def _deliver_group(
        self, group: Sequence[Claimed], secrets: Sequence[str], claimed_at: datetime
    ) -> tuple[list[tuple[Claimed, Result]], list[Claimed]]:
        """Post a group in order until a failure, shutdown or half the lease is gone.

        Returns the outcomes and the deliveries left unsent (to be released).
        """
        done: list[tuple[Claimed, Result]] = []
        for index, delivery in enumerate(group):
            late = self._clock.now() - claimed_at > self._lease / 2
            if self._stopping.is_set() or late or (done and done[-1][1].status != DELIVERED):
                return done, list(group[index:])
            if secrets:
                done.append((delivery, self._post(delivery, secrets)))
            else:
                gone = Result(DEAD, self._clock.now(), None, "endpoint no longer configured")
                done.append((delivery, gone))
        return done, []

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
            response = self._client().post(delivery.endpoint_url, content=body, headers=headers)
        except (_http.HTTPError, _http.InvalidURL) as exc:
            return self._failed(delivery, None, f"{type(exc).__name__}: {exc}")
        if response.is_success:
            return Result(DELIVERED, self._clock.now(), response.status_code, None)
        status = response.status_code
        return self._failed(delivery, status, f"HTTP {status} {response.text[:_ERROR_PREVIEW]}")

    def _failed(self, delivery: Claimed, http_status: int | None, error: str) -> Result:
        schedule, now = self._world.webhook_retry_schedule, self._clock.now()
        if delivery.attempt > len(schedule):
            return Result(DEAD, now, http_status, error)
        delay = schedule[delivery.attempt - 1] * (1 + self._rng.uniform(-JITTER, JITTER))
        return Result(PENDING, now, http_status, error, now + timedelta(seconds=delay))
