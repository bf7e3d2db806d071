"""Fixtures for the Kraty Local server tests.

Every test gets a fresh server on a real socket, on each engine of ``database_target`` (a
temporary SQLite file, and an emptied PostgreSQL database when ``KRATY_TEST_PG_URL`` is set).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from kraty_local.clock import FakeClock
from kraty_local.server import LocalServer
from kraty_local.world import World

from .helpers import make_world


@pytest.fixture
def database(database_target: str) -> str:
    """A database target nobody else uses during this test."""
    return database_target


@pytest.fixture
def clock() -> FakeClock:
    """The server's clock; advance it to age keys and grants."""
    return FakeClock()


@pytest.fixture
def world() -> World:
    """The world the server serves (override in a module to change it)."""
    return make_world()


@pytest.fixture
def server(database: str, world: World, clock: FakeClock) -> Iterator[LocalServer]:
    """A running Kraty Local."""
    with LocalServer(db=database, world=world, clock=clock) as running:
        yield running


@pytest.fixture
def client(server: LocalServer) -> Iterator[httpx.Client]:
    """An HTTP client authenticated with the server's start-up key (game_1)."""
    with httpx.Client(
        base_url=server.base_url + "/server/v1",
        headers={"Authorization": f"Bearer {server.api_key}"},
        timeout=30,
    ) as http:
        yield http


@pytest.fixture
def engine(server: LocalServer) -> Engine:
    """The server's database engine, for looking at state directly."""
    return server.engine
