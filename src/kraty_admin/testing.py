"""A pytest plugin for studios' own tests: a real Kraty Local per test.

Installed with ``kraty-admin[local]`` and registered automatically (``pytest11`` entry point)::

    def test_fulfilment(kraty_local):
        fulfil(kraty_local.client, receipt_id="r1")
        fulfil(kraty_local.client, receipt_id="r1")   # a replay must not pay twice
        snap = kraty_local.client.players.get("player_42")
        assert snap["wallet"][0]["balance"] == 500

Each test gets Kraty Local on a real loopback socket with state of its own: a fresh SQLite file
(a copy of one migrated once per test session), the default world (override the
``kraty_local_world`` fixture to change it), a new start-up key and a controllable clock: calendar
time (expiries, idempotency TTLs, webhook schedules) moves only by
``kraty_local.clock.advance(...)``, while rate-limit buckets refill in real time. The server itself
(its app and socket) is built once per test session and serves each test's state in turn, so a
test pays milliseconds for it, not a server start.

State goes in with a seed (the format of ``kraty-admin local seed``, see ``docs/seeding.md``):
``kraty_local.seed(path_or_document)`` in the test, or the marker
``@pytest.mark.kraty_local_seed(path_or_document, ...)`` (relative paths are read from the test
file's folder) before the test starts; ``kraty_local.export_seed()`` reads it back out.
"""

from __future__ import annotations

import shutil
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import pytest

from kraty_admin._client import KratyAdmin

# pytest loads this plugin in every session of every project that installs kraty-admin, so it
# imports nothing beyond the SDK's own package at load time: the async client, Kraty Local and
# its dependencies load when a test first asks for the fixture.
if TYPE_CHECKING:
    from kraty_admin._async_client import KratyAdminAsync
    from kraty_local.clock import FakeClock
    from kraty_local.seed import Seed
    from kraty_local.seeding import SeedReport
    from kraty_local.shared_server import Served, SharedServer
    from kraty_local.testing import PlayerClient
    from kraty_local.world import World

_MISSING_EXTRA = "the kraty_local fixture needs Kraty Local: pip install 'kraty-admin[local]'"
SEED_MARKER = "kraty_local_seed"

#: What ``KratyLocal.seed`` takes: a parsed seed document, a ``Seed``, or a seed file's path.
SeedData = Union["Seed", Mapping[str, Any], str, Path]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``kraty_local_seed`` marker."""
    config.addinivalue_line(
        "markers",
        f"{SEED_MARKER}(*seeds): seed the kraty_local server before the test "
        "(seed documents, or paths relative to the test file)",
    )


@dataclass
class KratyLocal:
    """A running Kraty Local for one test, with a ready :class:`KratyAdmin` as ``client``."""

    server: Served
    client: KratyAdmin
    clock: FakeClock
    _players: list[PlayerClient] = field(default_factory=list, repr=False)

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
        from kraty_admin._async_client import KratyAdminAsync

        options.setdefault("api_key", self.api_key)
        return KratyAdminAsync(base_url=self.base_url, **options)

    def player(self, external_player_id: str) -> PlayerClient:
        """A registered game client for one player (``kraty_local.testing.PlayerClient``),
        using the server's start-up ``client_sdk`` key; closed when the test ends."""
        from kraty_local.testing import PlayerClient

        player = PlayerClient(self.base_url, self.server.client_key, external_player_id)
        self._players.append(player)
        player.register()
        return player

    def seed(self, data: SeedData) -> SeedReport:
        """Apply a seed (document, ``Seed`` or file path) at the clock's time, in one
        transaction; ``SeedError`` lists every problem and applies nothing."""
        from kraty_local.seeding import seed_database

        settings = self.server.settings
        return seed_database(self.server.engine, settings.world, data, now=self.clock.now())

    def export_seed(
        self, *, game_id: str | None = None, only: Collection[str] | None = None
    ) -> dict[str, Any]:
        """The server's state as a seed document (``only``: those players and their links)."""
        from kraty_local.seeding import export_database

        settings = self.server.settings
        return export_database(
            self.server.engine, settings.world, now=self.clock.now(), game_id=game_id, only=only
        )


def _require_local() -> None:
    """Fail the test with the install hint when Kraty Local's dependencies are missing."""
    try:
        import kraty_local.shared_server  # noqa: F401
    except ImportError:  # pragma: no cover - depends on installed extras
        pytest.fail(_MISSING_EXTRA, pytrace=False)


@pytest.fixture
def kraty_local_world() -> World:
    """The world the ``kraty_local`` server serves: the default world unless overridden."""
    _require_local()
    from kraty_local.world import default_world

    return default_world()


@pytest.fixture(scope="session")
def kraty_local_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at Kraty Local's newest schema, migrated once per test session."""
    _require_local()
    import sqlite3

    from kraty_local.db import make_engine
    from kraty_local.migrations import upgrade

    path = tmp_path_factory.mktemp("kraty-local-template") / "kraty-local.sqlite"
    engine = make_engine(str(path))
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    with sqlite3.connect(path) as conn:  # everything into the file, so that a copy is complete
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def kraty_local_database(tmp_path: Path, kraty_local_template: Path) -> str:
    """Where the ``kraty_local`` server keeps its state: a fresh SQLite file (or a URL)."""
    path = tmp_path / "kraty-local.sqlite"
    shutil.copyfile(kraty_local_template, path)
    return str(path)


@pytest.fixture(scope="session")
def kraty_local_shared_server() -> Iterator[SharedServer]:
    """Kraty Local's app on one loopback socket for the whole session (each pytest-xdist
    worker has its own); every ``kraty_local`` test opens its own state on it in turn."""
    _require_local()
    from kraty_local.shared_server import SharedServer

    with SharedServer() as shared:
        yield shared


@pytest.fixture
def kraty_local(
    request: pytest.FixtureRequest,
    kraty_local_world: World,
    kraty_local_database: str,
    kraty_local_shared_server: SharedServer,
) -> Iterator[KratyLocal]:
    """A running Kraty Local with isolated state, and a ``KratyAdmin`` pointed at it.

    Seeds named by ``@pytest.mark.kraty_local_seed(...)`` markers are applied first (outermost
    marker first, each marker's seeds in order).
    """
    from kraty_local.clock import FakeClock
    from kraty_local.settings import Settings

    clock = FakeClock(datetime.now(timezone.utc), real_intervals=True)
    settings = Settings(database=kraty_local_database, world=kraty_local_world, clock=clock)
    with kraty_local_shared_server.serving(settings) as server:
        client = KratyAdmin(api_key=server.api_key, base_url=server.base_url)
        local = KratyLocal(server=server, client=client, clock=clock)
        try:
            for data in _marked_seeds(request):
                local.seed(data)
            yield local
        finally:
            for player in local._players:
                player.close()
            client.close()


def _marked_seeds(request: pytest.FixtureRequest) -> list[SeedData]:
    """The seeds of the test's ``kraty_local_seed`` markers; relative paths resolved against
    the test file's folder."""
    folder = Path(str(request.node.path)).parent
    seeds: list[SeedData] = []
    for marker in reversed(list(request.node.iter_markers(SEED_MARKER))):
        for data in marker.args:
            if isinstance(data, (str, Path)):
                data = folder / data
            seeds.append(data)
    return seeds
