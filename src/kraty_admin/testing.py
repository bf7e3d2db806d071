"""A pytest plugin for studios' own tests: a real Kraty Local per test.

Installed with ``kraty-admin[local]`` and registered automatically (``pytest11`` entry point)::

    def test_fulfilment(kraty_local):
        fulfil(kraty_local.client, receipt_id="r1")
        fulfil(kraty_local.client, receipt_id="r1")   # a replay must not pay twice
        snap = kraty_local.client.players.get("player_42")
        assert snap["wallet"][0]["balance"] == 500

Each test gets a fresh server on a real loopback socket, a fresh SQLite file, the default world
(override the ``kraty_local_world`` fixture to change it) and a controllable clock: calendar time
(expiries, idempotency TTLs, webhook schedules) moves only by ``kraty_local.clock.advance(...)``,
while rate-limit buckets refill in real time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kraty_admin._async_client import KratyAdminAsync
from kraty_admin._client import KratyAdmin

if TYPE_CHECKING:
    from kraty_local.clock import FakeClock
    from kraty_local.server import LocalServer
    from kraty_local.world import World

_MISSING_EXTRA = "the kraty_local fixture needs Kraty Local: pip install 'kraty-admin[local]'"


@dataclass
class KratyLocal:
    """A running Kraty Local for one test, with a ready :class:`KratyAdmin` as ``client``."""

    server: LocalServer
    client: KratyAdmin
    clock: FakeClock

    @property
    def base_url(self) -> str:
        """The server's ``http://127.0.0.1:<port>``."""
        return self.server.base_url

    @property
    def api_key(self) -> str:
        """The server key of the default game."""
        return self.server.api_key

    def make_client(self, **options: Any) -> KratyAdmin:
        """Another sync client for this server (``options`` as for :class:`KratyAdmin`)."""
        options.setdefault("api_key", self.api_key)
        return KratyAdmin(base_url=self.base_url, **options)

    def make_async_client(self, **options: Any) -> KratyAdminAsync:
        """An async client for this server (``options`` as for :class:`KratyAdminAsync`)."""
        options.setdefault("api_key", self.api_key)
        return KratyAdminAsync(base_url=self.base_url, **options)


@pytest.fixture
def kraty_local_world() -> World:
    """The world the ``kraty_local`` server serves: the default world unless overridden."""
    try:
        from kraty_local.world import default_world
    except ImportError:  # pragma: no cover - depends on installed extras
        pytest.skip(_MISSING_EXTRA)
    return default_world()


@pytest.fixture
def kraty_local_database(tmp_path: Path) -> str:
    """Where the ``kraty_local`` server keeps its state: a fresh SQLite file (or a URL)."""
    return str(tmp_path / "kraty-local.sqlite")


@pytest.fixture
def kraty_local(kraty_local_world: World, kraty_local_database: str) -> Iterator[KratyLocal]:
    """A running Kraty Local with isolated state, and a ``KratyAdmin`` pointed at it."""
    from kraty_local.clock import FakeClock
    from kraty_local.server import LocalServer

    clock = FakeClock(datetime.now(timezone.utc), real_intervals=True)
    with LocalServer(db=kraty_local_database, world=kraty_local_world, clock=clock) as server:
        client = KratyAdmin(api_key=server.api_key, base_url=server.base_url)
        try:
            yield KratyLocal(server=server, client=client, clock=clock)
        finally:
            client.close()
