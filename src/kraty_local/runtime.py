"""The long-lived objects of one running app: settings, engine, keys, rate limiter, webhooks."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from typing import Protocol

from sqlalchemy import Engine

from kraty_local.auth import KeyRing, ensure_client_key, ensure_server_key, load_keyring
from kraty_local.db import make_engine, transaction
from kraty_local.migrations import upgrade
from kraty_local.ratelimit import RateLimiter
from kraty_local.settings import Settings
from kraty_local.webhooks.attempts import AttemptHub
from kraty_local.webhooks.dispatcher import AttemptsCallback, Dispatcher


@dataclass(frozen=True)
class Runtime:
    """Shared by every request of one app instance while it runs."""

    settings: Settings
    engine: Engine
    keyring: KeyRing
    limiter: RateLimiter
    server_key: str
    dispatcher: Dispatcher
    attempts: AttemptHub
    #: The default game's start-up ``client_sdk`` key (``/sdk/v1``).
    client_key: str

    @classmethod
    @contextmanager
    def open(cls, settings: Settings) -> Iterator[Runtime]:
        """Open the database, migrate it, register the start-up key and start the dispatcher;
        on exit (or a failure part-way) close what was opened, in reverse order (the attempt
        streams end first)."""
        with ExitStack() as stack:
            engine = make_engine(
                settings.database, lock_timeout_seconds=settings.lock_timeout_seconds
            )
            stack.callback(engine.dispose)
            upgrade(engine)
            with transaction(engine) as conn:
                server_key = ensure_server_key(
                    conn, settings.world, settings.server_key, settings.clock.now()
                )
                client_key = ensure_client_key(conn, settings.world, settings.clock.now())
                keyring = load_keyring(conn, settings.world)
            attempts, on_attempts = _attempt_feed(
                engine, stack, dispatching=settings.webhook_poll_seconds is not None
            )
            dispatcher = Dispatcher(
                engine,
                settings.world,
                settings.clock,
                poll_seconds=settings.webhook_poll_seconds,
                on_attempts=on_attempts,
                rng=None if settings.rng_seed is None else random.Random(settings.rng_seed),
            )
            stack.callback(dispatcher.stop)
            dispatcher.start()
            limiter = RateLimiter(settings.world.rate_limit, settings.clock)
            yield cls(
                settings, engine, keyring, limiter, server_key, dispatcher, attempts, client_key
            )


def _attempt_feed(
    engine: Engine, stack: ExitStack, *, dispatching: bool
) -> tuple[AttemptHub, AttemptsCallback]:
    """The hub of the attempt streams, and how the dispatcher tells it about attempts: directly,
    or on PostgreSQL through every process's relay (:mod:`kraty_local.webhooks.notify`), which
    starts at once when a background dispatcher runs (``dispatching``: it wakes it for the
    commits of other processes). The streams end, and the relay stops, first when the stack
    closes."""
    if engine.dialect.name != "postgresql":
        hub = AttemptHub()
        stack.callback(hub.close)
        return hub, hub.publish_outcomes
    # Imported here: psycopg is installed with the postgres extra only.
    from kraty_local.webhooks.notify import AttemptNotifier, AttemptRelay

    relay = AttemptRelay(engine)
    stack.callback(relay.stop)
    stack.callback(relay.hub.close)
    if dispatching:
        relay.start()
    return relay.hub, AttemptNotifier(engine)


def prepare_database(settings: Settings) -> tuple[str, str]:
    """Migrate the database and settle the start-up keys without serving; returns the server
    key and the ``client_sdk`` key."""
    with Runtime.open(replace(settings, webhook_poll_seconds=None)) as runtime:
        return runtime.server_key, runtime.client_key


class _HasState(Protocol):
    @property
    def state(self) -> object: ...


def runtime_of(app: _HasState) -> Runtime:
    """The runtime of a running app (set by its lifespan); ``RuntimeError`` when not running."""
    runtime = getattr(app.state, "runtime", None)
    if not isinstance(runtime, Runtime):
        raise RuntimeError("Kraty Local is not running (its lifespan has not started)")
    return runtime
