"""Fixtures for the Kraty Local server tests.

Every test gets Kraty Local on a real socket with state of its own, on each engine of
``database_target`` (a copy of a migrated SQLite file, and a PostgreSQL database cloned from a
migrated template when ``KRATY_TEST_PG_URL`` is set). The app and its socket are built once per
test process (``kraty_local_shared_server``, from ``kraty_admin.testing``); each test opens its
own runtime (database, world, clock, key) on it. ``client`` calls the app in-process; tests that
need the socket use ``server.base_url``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from anyio.from_thread import start_blocking_portal
from sqlalchemy import Engine

from kraty_local.clock import FakeClock
from kraty_local.inprocess import PortalTransport
from kraty_local.settings import Settings
from kraty_local.shared_server import Served, SharedServer
from kraty_local.world import World
from tests._http import http_lib

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
def server(
    kraty_local_shared_server: SharedServer, database: str, world: World, clock: FakeClock
) -> Iterator[Served]:
    """A running Kraty Local serving this test's database, world and clock."""
    settings = Settings(database=database, world=world, clock=clock)
    with kraty_local_shared_server.serving(settings) as running:
        yield running


@contextmanager
def in_process_client(server: Served, api_key: str) -> Iterator[http_lib.Client]:
    """An HTTP client of ``/server/v1`` authenticated with ``api_key``, calling the app
    in-process (``PortalTransport``: no socket, the same ASGI app and middleware)."""
    with (
        start_blocking_portal() as portal,
        http_lib.Client(
            transport=PortalTransport(server.app, portal),
            base_url=server.base_url + "/server/v1",
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=30,
        ) as http,
    ):
        yield http


@pytest.fixture
def client(server: Served) -> Iterator[http_lib.Client]:
    """An in-process HTTP client authenticated with the server's start-up key (game_1)."""
    with in_process_client(server, server.api_key) as http:
        yield http


@pytest.fixture
def engine(server: Served) -> Engine:
    """The server's database engine, for looking at state directly."""
    return server.engine
