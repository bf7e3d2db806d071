"""Kraty Local for the fault tests: in-process (behind the fault proxy) or as a killable process.

Both run on each engine of ``database_target`` (tests/conftest.py), with a small world whose rate
limit no test reaches and no webhook receivers (so no dispatcher traffic competes with the load).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kraty_local.db import make_engine
from kraty_local.server import LocalServer
from kraty_local.settings import SERVER_KEY_ENV, Settings
from kraty_local.world import load_world
from tests._http import http_lib

API_KEY = "kl_faults.s3cret-faults-key"

WORLD = """
default_game = "game_1"

[rate_limit]
requests_per_second = 1e6
burst = 1000000

[[studios]]
id = "studio_1"
name = "Studio One"

[[games]]
id = "game_1"
studio = "studio_1"
name = "Game One"
currencies = ["gold", "gems"]
items = ["health_potion", "sword"]
"""


@pytest.fixture
def world_file(tmp_path: Path) -> Path:
    """The fault tests' world."""
    path = tmp_path / "world.toml"
    path.write_text(WORLD)
    return path


@pytest.fixture
def local_server(database_target: str, world_file: Path) -> Iterator[LocalServer]:
    """Kraty Local in-process on a real socket, on a fresh database of each engine."""
    settings = Settings(
        database=database_target,
        world=load_world(world_file),
        server_key=API_KEY,
        webhook_poll_seconds=None,
    )
    with LocalServer(settings=settings) as server:
        yield server


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``kraty-admin local serve`` as a child process, so that it can be SIGKILLed."""

    def __init__(self, database: str, world: Path, log: Path) -> None:
        """Start serving ``database`` on a free port; :meth:`wait_until_serving` before use."""
        self.log = log
        cli = Path(sys.executable).with_name("kraty-admin")
        self._command = [str(cli), "local", "serve", "--db", database, "--world", str(world)]
        self._spawn()

    def _spawn(self) -> None:
        self.port = free_port()
        self._log_start = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*self._command, "--port", str(self.port)],
                env={**os.environ, SERVER_KEY_ENV: API_KEY},
                stdout=out,
                stderr=out,
            )

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def wait_until_serving(self) -> None:
        """Poll ``/ping`` until it answers 200 (fails the test if the process exits)."""
        deadline, respawns = time.monotonic() + 60, 3
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                # The free port can be taken between free_port() and the server's bind (by
                # another test's connection, on a busy machine): try another one.
                if "Address already in use" in self.log_text()[self._log_start :] and respawns:
                    respawns -= 1
                    self._spawn()
                    continue
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                ping = http_lib.get(
                    f"{self.base_url}/server/v1/ping",
                    headers={"Authorization": f"Bearer {API_KEY}"},
                    timeout=5,
                )
                if ping.status_code == 200:
                    return
            except http_lib.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"server at {self.base_url} did not start:\n{self.log_text()}")

    def kill(self) -> None:
        """SIGKILL, no clean-up of any kind, and reap the process."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Interrupt (as Ctrl-C would) and reap; SIGKILL if it does not stop in time."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_text(self) -> str:
        """What the server printed."""
        return self.log.read_text(errors="replace")


@pytest.fixture
def database_engine(database_target: str) -> Iterator[Engine]:
    """An engine on the test's database, for reading the store tables."""
    engine = make_engine(database_target)
    try:
        yield engine
    finally:
        engine.dispose()
