"""Fixtures for the webhook tests: a Kraty Local whose game_1 posts to a real loopback receiver.

The server's clock is a ``FakeClock`` starting at the real current time (so receivers that check
signature freshness against the wall clock accept it) and its background dispatcher is off:
tests deliver with ``server.dispatcher.run_once()`` / ``drain()`` and move time by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from kraty_admin import KratyAdmin
from kraty_local.clock import FakeClock
from kraty_local.settings import Settings
from kraty_local.shared_server import Served, SharedServer
from kraty_local.world import WebhookEndpoint, World, default_world

from .receiver import Receiver

SECRET = "whsec_test_secret"
#: The compressed retry schedule of the test world: four attempts in all.
SCHEDULE = (1.0, 2.0, 4.0)


def hooked_world(*endpoints: WebhookEndpoint) -> World:
    """The default world with ``endpoints`` on game_1 and the compressed retry schedule."""
    world = default_world()
    game = replace(world.games["game_1"], webhooks=endpoints)
    return replace(world, games={**world.games, "game_1": game}, webhook_retry_schedule=SCHEDULE)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A recording receiver answering 200."""
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def clock() -> FakeClock:
    """The server's clock, starting now."""
    return FakeClock(datetime.now(timezone.utc))


@pytest.fixture
def world(receiver: Receiver) -> World:
    """game_1 posts to ``receiver`` with one secret."""
    return hooked_world(WebhookEndpoint(receiver.url, (SECRET,)))


@pytest.fixture
def settings(database_target: str, world: World, clock: FakeClock) -> Settings:
    """Server settings with the background dispatcher off and reproducible jitter."""
    return Settings(
        database=database_target,
        world=world,
        clock=clock,
        webhook_poll_seconds=None,
        rng_seed=7,
    )


@pytest.fixture
def server(kraty_local_shared_server: SharedServer, settings: Settings) -> Iterator[Served]:
    """A running Kraty Local serving ``settings`` (on the test process's shared server)."""
    with kraty_local_shared_server.serving(settings) as running:
        yield running


@pytest.fixture
def kraty(server: Served) -> Iterator[KratyAdmin]:
    """An SDK client for game_1."""
    with KratyAdmin(api_key=server.api_key, base_url=server.base_url) as client:
        yield client
