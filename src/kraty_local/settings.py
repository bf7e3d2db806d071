"""Run-time settings of a Kraty Local instance."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

from kraty_local.clock import Clock, SystemClock
from kraty_local.world import World, default_world, load_world

SERVER_KEY_ENV = "KRATY_LOCAL_SERVER_KEY"
DATABASE_ENV = "KRATY_LOCAL_DATABASE"
WORLD_FILE_ENV = "KRATY_LOCAL_WORLD_FILE"


def _key_from_env() -> str | None:
    return os.environ.get(SERVER_KEY_ENV) or None


@dataclass(frozen=True)
class Settings:
    """Everything ``create_app`` needs; the defaults suit a local development server.

    ``database`` is a file path (SQLite) or an SQLAlchemy URL (``sqlite:///...``,
    ``postgresql://...``). ``server_key`` defaults to ``$KRATY_LOCAL_SERVER_KEY``; when unset a key
    is generated once and kept in the database. ``rng_seed`` makes crate rolls (and webhook retry
    jitter) reproducible. ``webhook_poll_seconds`` is how often the webhook dispatcher looks for
    due deliveries when idle; ``None`` runs no background dispatcher (then call
    ``runtime.dispatcher.run_once()``).
    """

    database: str = "kraty-local.sqlite"
    world: World = field(default_factory=default_world)
    clock: Clock = field(default_factory=SystemClock)
    server_key: str | None = field(default_factory=_key_from_env)
    max_body_bytes: int = 4 * 1024 * 1024
    idempotency_ttl: timedelta = timedelta(hours=24)
    lock_timeout_seconds: float = 5.0
    rng_seed: int | None = None
    webhook_poll_seconds: float | None = 0.2

    @classmethod
    def from_env(cls) -> Settings:
        """Settings of a worker process: ``$KRATY_LOCAL_DATABASE`` (required), the world file at
        ``$KRATY_LOCAL_WORLD_FILE`` (default: the built-in world) and ``$KRATY_LOCAL_SERVER_KEY``.
        """
        database = os.environ.get(DATABASE_ENV)
        if not database:
            raise RuntimeError(f"{DATABASE_ENV} must name the database")
        world_file = os.environ.get(WORLD_FILE_ENV)
        return cls(
            database=database, world=load_world(world_file) if world_file else default_world()
        )
