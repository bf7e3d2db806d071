"""Fixtures for the console tests: a Kraty Local with players and a failing webhook endpoint.

Each test opens its own runtime on the test process's shared server (``database_target``: both
engines when ``KRATY_TEST_PG_URL`` is set). The background webhook dispatcher is off: tests
attempt deliveries with ``server.dispatcher.run_once()``. ``console`` is a plain HTTP client
(in-process, keeping cookies); the browser tests add Chromium (``test_browser``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from anyio.from_thread import start_blocking_portal

from kraty_admin import KratyAdmin
from kraty_local.inprocess import PortalTransport
from kraty_local.settings import Settings
from kraty_local.shared_server import Served, SharedServer
from kraty_local.world import WebhookEndpoint, World
from tests._http import http_lib
from tests.local.helpers import make_world

#: Nothing listens there: every delivery attempt fails with a connection error.
DEAD_ENDPOINT = "http://127.0.0.1:9/kraty-hooks"
PLAYERS = ("player_42", "player_43", "other_1")


def console_world() -> World:
    """The test world (with its extra keys) whose game_1 posts webhooks to ``DEAD_ENDPOINT``."""
    world = make_world()
    game = replace(world.games["game_1"], webhooks=(WebhookEndpoint(DEAD_ENDPOINT, ("s",)),))
    return replace(world, games={**world.games, "game_1": game})


@pytest.fixture
def server(kraty_local_shared_server: SharedServer, database_target: str) -> Iterator[Served]:
    """Kraty Local with three players of game_1 (``player_42`` holds 100 gold, credited
    with the reason "welcome bonus")."""
    settings = Settings(database=database_target, world=console_world(), webhook_poll_seconds=None)
    with kraty_local_shared_server.serving(settings) as served:
        with KratyAdmin(api_key=served.api_key, base_url=served.base_url) as kraty:
            for player in PLAYERS:
                kraty.wallet.credit(player, "gold", 100, reason="welcome bonus")
        yield served


@pytest.fixture
def console(server: Served) -> Iterator[http_lib.Client]:
    """A cookie-keeping HTTP client of the console, not signed in, calling the app in-process."""
    with (
        start_blocking_portal() as portal,
        http_lib.Client(
            transport=PortalTransport(server.app, portal), base_url=server.base_url, timeout=30
        ) as client,
    ):
        yield client


def form_value(html: str, name: str) -> str:
    """The value of the first hidden input ``name`` of a page."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field"
    return match.group(1)


def sign_in(console: http_lib.Client, key: str) -> http_lib.Response:
    """Fill in and send the sign-in form; the answer is not followed."""
    page = console.get("/sign-in")
    return console.post("/sign-in", data={"csrf": form_value(page.text, "csrf"), "key": key})


@pytest.fixture
def signed_in(console: http_lib.Client, server: Served) -> http_lib.Client:
    """``console`` signed in with the server's start-up key (game_1)."""
    assert sign_in(console, server.api_key).status_code == 303
    return console
