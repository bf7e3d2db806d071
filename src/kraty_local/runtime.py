"""The long-lived objects of one running app: settings, engine, keys, rate limiter, dispatcher."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import Engine

from kraty_local.auth import KeyRing, ensure_server_key, load_keyring
from kraty_local.db import make_engine, transaction
from kraty_local.migrations import upgrade
from kraty_local.ratelimit import RateLimiter
from kraty_local.settings import Settings
from kraty_local.webhooks.dispatcher import Dispatcher


@dataclass(frozen=True)
class Runtime:
    """Shared by every request of one app instance."""

    settings: Settings
    engine: Engine
    keyring: KeyRing
    limiter: RateLimiter
    server_key: str
    dispatcher: Dispatcher

    @classmethod
    def start(cls, settings: Settings) -> Runtime:
        """Open the database, migrate it to the current schema, register the start-up key."""
        engine = make_engine(settings.database, lock_timeout_seconds=settings.lock_timeout_seconds)
        try:
            upgrade(engine)
            with transaction(engine) as conn:
                server_key = ensure_server_key(
                    conn, settings.world, settings.server_key, settings.clock.now()
                )
                keyring = load_keyring(conn, settings.world)
        except BaseException:
            engine.dispose()
            raise
        limiter = RateLimiter(settings.world.rate_limit, settings.clock)
        dispatcher = Dispatcher(
            engine,
            settings.world,
            settings.clock,
            poll_seconds=settings.webhook_poll_seconds,
            rng=None if settings.rng_seed is None else random.Random(settings.rng_seed),
        )
        dispatcher.start()
        return cls(settings, engine, keyring, limiter, server_key, dispatcher)

    def close(self) -> None:
        """Stop the webhook dispatcher and release database connections."""
        self.dispatcher.stop()
        self.engine.dispose()
