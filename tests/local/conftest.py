"""Fixtures for the Kraty Local server tests.

Every test gets a fresh server on a real socket. The database is a temporary SQLite file, or the
URL in ``KRATY_TEST_DB_URL`` (e.g. PostgreSQL), whose tables are dropped before each test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from kraty_local.clock import FakeClock
from kraty_local.db import make_engine
from kraty_local.server import LocalServer
from kraty_local.store.schema import metadata
from kraty_local.world import World

from .helpers import make_world


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A database target nobody else uses during this test."""
    url = os.environ.get("KRATY_TEST_DB_URL")
    if not url:
        return str(tmp_path / "kraty-local.sqlite")
    engine = make_engine(url)
    metadata.drop_all(engine)
    engine.dispose()
    return url


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
