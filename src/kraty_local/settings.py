"""Run-time settings of a Kraty Local instance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from kraty_local.clock import Clock, SystemClock
from kraty_local.world import World, default_world

#: Where the command line (and only the command line) reads a supplied server key.
SERVER_KEY_ENV = "KRATY_LOCAL_SERVER_KEY"


@dataclass(frozen=True)
class Settings:
    """Everything ``create_app`` needs; the defaults suit a local development server.

    ``database`` is a file path (SQLite) or an SQLAlchemy URL (``sqlite:///...``,
    ``postgresql://...``). ``server_key`` is the start-up key; when ``None`` a key is generated once
    and kept in the database. ``rng_seed`` makes crate rolls (and webhook retry
    jitter) reproducible. ``webhook_poll_seconds`` is the longest the webhook dispatcher sleeps
    when idle: it wakes at once for an event this process commits (on PostgreSQL, any process:
    LISTEN/NOTIFY), and when a retry falls due or a listen endpoint expires, so the poll is
    only a safety net (for a notification lost with its listener's connection); ``None`` runs
    no background dispatcher (then call ``runtime.dispatcher.run_once()``).

    ``freeze_gc``: the process serves this app and nothing else (``local serve`` and its
    workers): once started, every object alive is moved out of the garbage collector's sight
    (``gc.freeze``), so a full collection under load scans only what was made since. Without it
    one such collection pauses every request for ~90 ms. Leave it off in a process that starts
    and stops servers (tests): frozen objects that later form garbage cycles are never freed.

    A temporary endpoint (``kraty-admin webhooks listen``) is removed
    ``webhook_listen_expiry_seconds`` after its last listener's stream closed; an open stream
    sends a heartbeat, and pushes the expiry forward, every ``webhook_listen_heartbeat_seconds``
    (which must be shorter).
    """

    database: str = "kraty-local.sqlite"
    world: World = field(default_factory=default_world)
    clock: Clock = field(default_factory=SystemClock)
    server_key: str | None = None
    max_body_bytes: int = 4 * 1024 * 1024
    idempotency_ttl: timedelta = timedelta(hours=24)
    lock_timeout_seconds: float = 5.0
    rng_seed: int | None = None
    webhook_poll_seconds: float | None = 30.0
    webhook_listen_heartbeat_seconds: float = 15.0
    webhook_listen_expiry_seconds: float = 60.0
    freeze_gc: bool = False

    def __post_init__(self) -> None:
        """Refuse a heartbeat that would let a listened-to endpoint expire."""
        if not 0 < self.webhook_listen_heartbeat_seconds < self.webhook_listen_expiry_seconds:
            raise ValueError(
                "webhook_listen_heartbeat_seconds must be positive and shorter than "
                "webhook_listen_expiry_seconds"
            )
