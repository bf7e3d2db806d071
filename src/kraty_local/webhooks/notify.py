"""What the processes of one PostgreSQL database tell each other, over LISTEN/NOTIFY: webhook
attempts, and commits that queued deliveries.

With ``local serve --workers N`` each worker process runs a dispatcher, and a listener's stream
is held by one worker: the attempts the others make would never reach it through an in-process
hub. So on PostgreSQL the dispatcher NOTIFYs its attempts on :data:`CHANNEL` (its own process
included) instead of publishing them, and each process's :class:`AttemptRelay` LISTENs on one
connection of its own and publishes what arrives into its hub. The same connection LISTENs on
:data:`~kraty_local.db.SIGNAL_CHANNEL`, where every transaction that queues deliveries announces
itself (:func:`kraty_local.db.signal_after_commit`): another engine's commit wakes this one's
dispatcher (:func:`kraty_local.db.run_signalled`), so an idle dispatcher need not poll for the
work of other processes. The relay starts with the dispatcher (or, without one, with the first
stream of its process: a server nobody listens to holds no extra connection).

Like every NOTIFY, delivery to a relay is not guaranteed across a lost connection: attempts made
while a relay reconnects are not streamed (they are still made and listed by
``/_local/webhooks/deliveries``), and after reconnecting the relay wakes the dispatcher once for
the commits it may have missed.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from select import select as wait_readable
from typing import Any

import psycopg
from sqlalchemy import Engine, func, select

from kraty_local.db import SIGNAL_CHANNEL, run_signalled, signal_token, transaction
from kraty_local.webhooks.attempts import AttemptHub, attempt_view
from kraty_local.webhooks.deliveries import Claimed, Result

logger = logging.getLogger("kraty_local.webhooks")

CHANNEL = "kraty_webhook_attempts"
#: NOTIFY payloads must stay under 8000 bytes; a network error's text can be long.
_ERROR_CHARS = 1000
_RECONNECT_SECONDS = 1.0


class AttemptNotifier:
    """The dispatcher's ``on_attempts`` on PostgreSQL: NOTIFY each attempt, in one transaction."""

    def __init__(self, engine: Engine) -> None:
        """Notify through ``engine``."""
        self._engine = engine

    def __call__(self, outcomes: Sequence[tuple[Claimed, Result]]) -> None:
        """NOTIFY the attempts behind ``outcomes``."""
        payloads = [_payload(attempt_view(delivery, result)) for delivery, result in outcomes]
        with transaction(self._engine) as conn:
            for payload in payloads:
                conn.execute(select(func.pg_notify(CHANNEL, payload)))


def _payload(attempt: dict[str, Any]) -> str:
    error = attempt["error"]
    if error is not None and len(error) > _ERROR_CHARS:
        attempt = {**attempt, "error": error[:_ERROR_CHARS] + "…"}
    return json.dumps(attempt, separators=(",", ":"))


class AttemptRelay:
    """LISTENs on :data:`CHANNEL` and :data:`~kraty_local.db.SIGNAL_CHANNEL` in a thread of its
    own: publishes attempts into its :attr:`hub` (which starts it, :meth:`AttemptHub.ready`, for
    its first stream) and runs its engine's signalled-commit callbacks for other engines'
    commits."""

    def __init__(self, engine: Engine) -> None:
        """Relay the notifications of ``engine``'s database; nothing runs until :meth:`start`."""
        self._engine = engine
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self.hub = AttemptHub(self.start)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """LISTEN (if not yet); attempts notified from now on reach the hub. Blocking I/O."""
        with self._lock:
            if self._thread is not None or self._stopping.is_set():
                return
            connection = self._listen()
            self._thread = threading.Thread(
                target=self._run, args=(connection,), name="kraty-webhook-relay", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop relaying (wakes the thread with an empty notification) and close its connection."""
        with self._lock:
            self._stopping.set()
            thread, self._thread = self._thread, None
        if thread is None:
            return
        try:
            with transaction(self._engine) as conn:
                conn.execute(select(func.pg_notify(CHANNEL, "")))
        except Exception:  # then its connection is likely gone too: it sees the flag
            logger.warning("could not wake the webhook attempt relay", exc_info=True)
        thread.join()

    def _listen(self) -> psycopg.Connection[Any]:
        connection = psycopg.connect(self._conninfo, autocommit=True)
        connection.execute(f"LISTEN {CHANNEL}")
        connection.execute(f"LISTEN {SIGNAL_CHANNEL}")
        return connection

    def _run(self, connection: psycopg.Connection[Any] | None) -> None:
        while connection is not None:
            try:
                self._relay(connection)
            except psycopg.Error:
                logger.warning("webhook attempt relay lost its connection; reconnecting")
                connection.close()
                connection = self._reconnect()
                run_signalled(self._engine)  # for the commits announced meanwhile
            else:
                connection.close()
                connection = None

    def _relay(self, connection: psycopg.Connection[Any]) -> None:
        """Hand on what arrives until the relay stops.

        Between notifications the thread sleeps in ``select`` on the connection's socket:
        psycopg's own ``notifies()`` wakes every 0.1 s (to notice a Ctrl-C).
        """
        own = signal_token(self._engine)
        while True:
            for note in connection.notifies(timeout=0):
                if self._stopping.is_set():
                    return
                if note.channel == SIGNAL_CHANNEL:
                    if note.payload != own:
                        run_signalled(self._engine)
                elif note.payload:  # an empty one only wakes the thread
                    self.hub.publish([json.loads(note.payload)])
            wait_readable([connection], [], [])

    def _reconnect(self) -> psycopg.Connection[Any] | None:
        """A new LISTEN connection, tried every second; None once the relay stops."""
        while not self._stopping.wait(_RECONNECT_SECONDS):
            try:
                return self._listen()
            except psycopg.Error:
                continue
        return None
