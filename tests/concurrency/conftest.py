"""Kraty Local under concurrent load, on each engine of ``database_target``.

SQLite: one in-process server (SQLite has one writer; threads still race inside it). PostgreSQL:
three server processes on one database, started at the same moment (so their start-up
migrations race too): ``kraty-admin local serve --workers 2`` on one port and a single-process
``kraty-admin local serve`` on another; clients spread requests over both ports.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine

from kraty_local.db import make_engine
from kraty_local.server import LocalServer
from kraty_local.settings import SERVER_KEY_ENV, Settings
from kraty_local.world import load_world
from tests._http import http_lib

T = TypeVar("T")
API_KEY = "kl_concurrency.s3cret-concurrency-key"
CLIENT_KEY = "kl_concurrency_client.s3cret-concurrency-client-key"
_RETRY_LOG = "running it again"  # what kraty_local.db logs for each transaction it runs again
_EXAMPLE_WORLD = Path(__file__).parents[2] / "src" / "kraty_local" / "world.example.toml"


@dataclass
class Cluster:
    """Running servers sharing one database, and that database's engine (for inspection)."""

    base_urls: list[str]
    engine: Engine
    logs: list[Path] = field(default_factory=list)  # the server processes' output
    api_key: str = API_KEY
    client_key: str = CLIENT_KEY  # a ``client_sdk`` key for ``/sdk/v1``
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_url(self) -> str:
        """The servers in turn (round robin), safe to call from many threads."""
        with self._lock:
            return self.base_urls[next(self._turn) % len(self.base_urls)]


def write_world(directory: Path) -> Path:
    """The example world with a rate limit no test burst reaches, and :data:`CLIENT_KEY`."""
    text = _EXAMPLE_WORLD.read_text()
    text = text.replace(
        "requests_per_second = 200\nburst = 400", "requests_per_second = 1e6\nburst = 1000000"
    )
    text += (
        f'\n[[keys]]\nkey = "{CLIENT_KEY}"\nstudio = "studio_1"\ngame = "game_1"\n'
        'permission_set = "client_sdk"\n'
    )
    path = directory / "world.toml"
    path.write_text(text)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            ping = http_lib.get(
                f"{url}/server/v1/ping", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5
            )
            if ping.status_code == 200:
                return
        except http_lib.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"server at {url} did not start:\n{log.read_text()}")


def _start_processes(
    database: str, world: Path, logs: Path
) -> list[tuple[subprocess.Popen[bytes], str, Path]]:
    """``local serve --workers 2`` and a single-process ``local serve``, launched together."""
    cli = Path(sys.executable).with_name("kraty-admin")
    env = {**os.environ, SERVER_KEY_ENV: API_KEY}
    started = []
    for name, extra in (("workers", ["--workers", "2"]), ("single", [])):
        port = _free_port()
        log = logs / f"server-{name}.log"
        command = [str(cli), "local", "serve", "--db", database, "--world", str(world)]
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*command, "--port", str(port), *extra], env=env, stdout=out, stderr=out
            )
        started.append((process, f"http://127.0.0.1:{port}", log))
    return started


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def cluster(database_target: str, tmp_path: Path) -> Iterator[Cluster]:
    """Servers on a fresh database: one in-process on SQLite, three processes on PostgreSQL."""
    world = write_world(tmp_path)
    if "://" not in database_target:
        settings = Settings(database=database_target, world=load_world(world), server_key=API_KEY)
        with LocalServer(settings=settings) as server:
            yield Cluster([server.base_url], server.engine)
        return
    started = _start_processes(database_target, world, tmp_path)
    engine = make_engine(database_target)
    try:
        for process, url, log in started:
            _wait_until_serving(url, process, log)
        yield Cluster([url for _, url, _ in started], engine, [log for _, _, log in started])
    finally:
        for process, _, _ in started:
            _stop(process)
        engine.dispose()


def transient_retries(cluster: Cluster, caplog: pytest.LogCaptureFixture) -> int:
    """How many transactions the servers ran again after a deadlock or serialization failure
    (they log each: in the processes' output, or in ``caplog`` for the in-process server)."""
    logged = sum(log.read_text(errors="replace").count(_RETRY_LOG) for log in cluster.logs)
    return logged + sum(_RETRY_LOG in record.getMessage() for record in caplog.records)


def run_concurrently(tasks: Sequence[Callable[[T], object]], subject: T, threads: int) -> None:
    """Run every task on ``subject`` from a pool of ``threads``; the first failure is raised."""
    with ThreadPoolExecutor(threads) as pool:
        for done in [pool.submit(task, subject) for task in tasks]:
            done.result()
