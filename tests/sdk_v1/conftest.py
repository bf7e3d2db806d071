"""Fixtures for ``/sdk/v1``: the server fixtures of ``tests/local``, and players' game clients
(``kraty_local.testing.PlayerClient``) calling the app in-process with the start-up client key."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from kraty_local.inprocess import PortalTransport
from kraty_local.shared_server import Served
from kraty_local.testing import PlayerClient
from tests._http import http_lib
from tests.local.conftest import client, clock, database, engine, server, world

__all__ = ["client", "clock", "database", "engine", "server", "world"]

#: Makes a game client for a player id (registered unless ``register=False``).
PlayerFactory = Callable[..., PlayerClient]


@pytest.fixture
def portal() -> Iterator[BlockingPortal]:
    """The event loop the in-process clients run the app on."""
    with start_blocking_portal() as running:
        yield running


@pytest.fixture
def player_of(server: Served, portal: BlockingPortal) -> Iterator[PlayerFactory]:
    """``player_of("p1")``: a registered game client of player p1 (closed at the end)."""
    made: list[PlayerClient] = []

    def make(
        external_player_id: str, *, register: bool = True, client_key: str | None = None
    ) -> PlayerClient:
        player = PlayerClient(
            server.base_url,
            client_key or server.client_key,
            external_player_id,
            transport=PortalTransport(server.app, portal),
        )
        made.append(player)
        if register:
            player.register()
        return player

    yield make
    for player in made:
        player.close()


@pytest.fixture
def raw(server: Served, portal: BlockingPortal) -> Iterator[http_lib.Client]:
    """An in-process HTTP client with no credentials at all (tests add their own headers)."""
    with http_lib.Client(
        transport=PortalTransport(server.app, portal), base_url=server.base_url, timeout=30
    ) as http:
        yield http
