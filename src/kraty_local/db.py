"""Engine factory and the one transaction helper every service runs in.

SQLite runs in WAL mode with a busy timeout and foreign keys on; pysqlite's own transaction
handling is switched off so that every write transaction starts with ``BEGIN IMMEDIATE`` (writers
serialize at BEGIN instead of failing at their first write) and SAVEPOINTs work. Within one
process, write transactions first queue on the file's FIFO writer lock
(:mod:`kraty_local.store.writer_lock`), so a burst is served in arrival order instead of spinning
on the busy timeout. PostgreSQL gets a
``lock_timeout`` so a blocked writer gives up instead of hanging: that is a ``503`` with
``Retry-After: 1``. A deadlock or serialization failure (SQLSTATE 40P01 / 40001) rolls the
transaction back without applying anything, so :func:`run_transaction` simply runs it again
(and logs a warning: each one cost a wait, a second for a deadlock on PostgreSQL's defaults).
"""

from __future__ import annotations

import logging
import random
import secrets
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from kraty_local.domain.errors import Busy, TransientConflict
from kraty_local.store.writer_lock import FifoLock, writer_lock

_WRITE_OPTION = "kraty_write"
_TRANSIENT_SQLSTATES = {"40001": "serialization_failure", "40P01": "deadlock_detected"}
#: How many times :func:`run_transaction` runs a transaction that deadlocks or fails to serialize.
TRANSIENT_ATTEMPTS = 5

T = TypeVar("T")
logger = logging.getLogger("kraty_local.db")
_SIGNAL = "kraty_signal_after_commit"
#: What to call after a transaction that raised :func:`signal_after_commit` commits, per engine.
_AFTER_COMMIT: weakref.WeakKeyDictionary[Engine, list[Callable[[], None]]] = (
    weakref.WeakKeyDictionary()
)
#: The PostgreSQL channel on which a signalled commit is announced to the other engines (other
#: processes) on the same database; the payload is the committing engine's :func:`signal_token`.
SIGNAL_CHANNEL = "kraty_signalled_commits"
_NOTIFY = text(f"SELECT pg_notify('{SIGNAL_CHANNEL}', :token)")
_TOKENS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()
#: Per engine, whether its signalled commits are announced right now (unset: always).
_ANNOUNCING: weakref.WeakKeyDictionary[Engine, Callable[[], bool]] = weakref.WeakKeyDictionary()
#: SQLite engines: their file's writer lock and how long a writer waits for it.
_WRITERS: weakref.WeakKeyDictionary[Engine, tuple[FifoLock, float]] = weakref.WeakKeyDictionary()


def database_url(target: str) -> str:
    """An SQLAlchemy URL for a file path or URL; ``postgresql://`` means psycopg 3."""
    if "://" not in target:
        return f"sqlite:///{target}"
    if target.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + target.split("://", 1)[1]
    return target


def make_engine(target: str, *, lock_timeout_seconds: float = 5.0) -> Engine:
    """Create the engine for ``target`` (a SQLite file path or a database URL)."""
    url = make_url(database_url(target))
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise ValueError("Kraty Local needs a SQLite file, not an in-memory database")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": lock_timeout_seconds},
            pool_size=10,
            max_overflow=40,
        )
        _install_sqlite_hooks(engine, lock_timeout_seconds)
        _WRITERS[engine] = (writer_lock(url.database), lock_timeout_seconds)
        return engine
    millis = int(lock_timeout_seconds * 1000)
    return create_engine(
        url,
        pool_size=10,
        max_overflow=40,
        connect_args={"options": f"-c lock_timeout={millis}"},
    )


def _install_sqlite_hooks(engine: Engine, lock_timeout_seconds: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        _enter_wal_mode(cursor, lock_timeout_seconds)
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_seconds * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(_WRITE_OPTION, True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _enter_wal_mode(cursor: Any, timeout_seconds: float) -> None:
    """``PRAGMA journal_mode=WAL``, retried while the file is locked: SQLite can answer it
    ``SQLITE_BUSY`` without waiting on the busy timeout (seen when several start-ups open a new
    file while one of them runs the schema upgrade)."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "database is locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def on_signalled_commit(engine: Engine, callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` after each commit of a :func:`transaction` on ``engine`` that called
    :func:`signal_after_commit` (the outbox does, to wake the webhook dispatcher: waking it before
    the commit would let it look before the rows are visible), and for each one another engine
    announced (:func:`run_signalled`). Returns the undo."""
    callbacks = _AFTER_COMMIT.setdefault(engine, [])
    callbacks.append(callback)
    return lambda: callbacks.remove(callback)


def signal_after_commit(conn: Connection) -> None:
    """Have this transaction, once committed, call its engine's :func:`on_signalled_commit`.

    On PostgreSQL the transaction also NOTIFYs :data:`SIGNAL_CHANNEL` (once, and only when the
    engine's :func:`announce_signals_when` predicate agrees): PostgreSQL delivers it to the
    listening processes at commit, and drops it if the transaction rolls back.
    """
    if _SIGNAL not in conn.info and conn.dialect.name == "postgresql":
        announcing = _ANNOUNCING.get(conn.engine)
        if announcing is None or announcing():
            conn.execute(_NOTIFY, {"token": signal_token(conn.engine)})
    conn.info[_SIGNAL] = True


def announce_signals_when(engine: Engine, announcing: Callable[[], bool]) -> Callable[[], None]:
    """Have ``engine``'s signalled commits NOTIFY other processes only when ``announcing()``
    (asked inside the transaction): each costs a statement here and a wake-up in every
    listening process, its own included. Returns the undo."""
    _ANNOUNCING[engine] = announcing

    def undo() -> None:
        _ANNOUNCING.pop(engine, None)

    return undo


def signal_token(engine: Engine) -> str:
    """How ``engine`` signs its :data:`SIGNAL_CHANNEL` notifications (random, per engine), so
    that its listener can skip them: its own commits call its callbacks directly."""
    token = _TOKENS.get(engine)
    if token is None:
        token = _TOKENS[engine] = secrets.token_hex(8)
    return token


def run_signalled(engine: Engine) -> None:
    """Call ``engine``'s :func:`on_signalled_commit` callbacks (a signalled commit happened)."""
    for callback in list(_AFTER_COMMIT.get(engine, ())):
        callback()


def is_lock_timeout(exc: DBAPIError) -> bool:
    """Whether a driver error means 'could not get the lock in time' (SQLite or PostgreSQL)."""
    if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
        return True
    return getattr(exc.orig, "sqlstate", None) == "55P03"  # lock_not_available


def is_transient(exc: DBAPIError) -> bool:
    """Whether a driver error is a deadlock or serialization failure (PostgreSQL)."""
    return getattr(exc.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES


def _sqlstate_name(conflict: TransientConflict) -> str:
    sqlstate = getattr(getattr(conflict.__cause__, "orig", None), "sqlstate", None)
    return _TRANSIENT_SQLSTATES.get(str(sqlstate), "a transient conflict")


@contextmanager
def transaction(engine: Engine, *, write: bool = True) -> Iterator[Connection]:
    """One database transaction: commit on success, roll back on any exception.

    Write transactions take the write lock up front (``BEGIN IMMEDIATE`` on SQLite); read-only
    ones (``write=False``) start deferred and never block writers. Lock timeouts surface as
    :class:`~kraty_local.domain.errors.Busy`, deadlocks and serialization failures as
    :class:`~kraty_local.domain.errors.TransientConflict`.
    """
    queue = _WRITERS.get(engine) if write else None
    if queue is not None and not queue[0].acquire(queue[1]):
        raise Busy
    signalled = False
    try:
        with engine.connect() as conn:
            conn.execution_options(**{_WRITE_OPTION: write})
            try:
                with conn.begin():
                    yield conn
            finally:
                signalled = conn.info.pop(_SIGNAL, False)
    except DBAPIError as exc:
        if is_transient(exc):
            raise TransientConflict from exc
        if is_lock_timeout(exc):
            raise Busy from exc
        raise
    finally:
        if queue is not None:
            queue[0].release()
    if signalled:
        run_signalled(engine)


def run_transaction(
    engine: Engine,
    work: Callable[[Connection], T],
    *,
    write: bool = True,
    attempts: int = TRANSIENT_ATTEMPTS,
) -> T:
    """``work(conn)`` in one :func:`transaction`, run again after a deadlock or serialization
    failure (short randomized exponential backoff); after ``attempts`` runs, the 503 of
    :class:`TransientConflict`. ``work`` must only touch the database (it may run more than once).
    """
    attempt = 1
    while True:
        try:
            with transaction(engine, write=write) as conn:
                return work(conn)
        except TransientConflict as conflict:
            if attempt >= attempts:
                raise
            logger.warning(
                "transaction rolled back by %s; running it again (run %d of %d)",
                _sqlstate_name(conflict),
                attempt + 1,
                attempts,
            )
        time.sleep(min(0.01 * 2**attempt, 0.25) * random.uniform(0.5, 1.5))
        attempt += 1
