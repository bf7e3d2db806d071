"""The long-lived objects of one running app: settings, engine, keys, rate limiter."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from kraty_local.auth import KeyRing, ensure_server_key, load_keyring
from kraty_local.db import make_engine, transaction
from kraty_local.ratelimit import RateLimiter
from kraty_local.settings import Settings
from kraty_local.store.schema import metadata


@dataclass(frozen=True)
class Runtime:
    """Shared by every request of one app instance."""

    settings: Settings
    engine: Engine
    keyring: KeyRing
    limiter: RateLimiter
    server_key: str

    @classmethod
    def start(cls, settings: Settings) -> Runtime:
        """Open the database, create missing tables, register the start-up key, load keys."""
        engine = make_engine(settings.database, lock_timeout_seconds=settings.lock_timeout_seconds)
        try:
            metadata.create_all(engine)
            with transaction(engine) as conn:
                server_key = ensure_server_key(
                    conn, settings.world, settings.server_key, settings.clock.now()
                )
                keyring = load_keyring(conn, settings.world)
        except BaseException:
            engine.dispose()
            raise
        limiter = RateLimiter(settings.world.rate_limit, settings.clock)
        return cls(settings, engine, keyring, limiter, server_key)

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()
