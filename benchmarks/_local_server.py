"""Start Kraty Local (or another server) in its own process for a benchmark, and stop it after.

Servers run pinned to one core (:data:`SERVER_CORE`) so their CPU time per request, read from
``/proc``, is comparable across variants. Databases live in memory-backed ``/dev/shm`` where there
is one: on a shared machine the disk's noise would otherwise swamp the CPU being measured.
"""

from __future__ import annotations

import importlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kraty_admin._http import LIBRARY

# The HTTP library the SDK uses here (httpx2 on Python 3.11+, httpx on 3.10).
http_lib = importlib.import_module(LIBRARY)

BENCH_KEY = "kl_bench.benchmark-secret"
#: A ``client_sdk`` key of the bench world's game, for ``/sdk/v1``.
BENCH_CLIENT_KEY = "kl_benchclient.benchmark-client-secret"
#: The core every benchmarked server runs on (the last one; clients run anywhere).
SERVER_CORE = (os.cpu_count() or 1) - 1
_EXAMPLE_WORLD = Path(__file__).parents[1] / "src" / "kraty_local" / "world.example.toml"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def scratch() -> tempfile.TemporaryDirectory[str]:
    """A temporary directory for benchmark databases (in ``/dev/shm`` when it exists)."""
    shm = Path("/dev/shm")  # noqa: S108 - a private TemporaryDirectory is made inside it
    where = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    return tempfile.TemporaryDirectory(prefix="kraty-bench-", dir=where)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, every thread) the process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def bench_world(directory: Path, *, webhook: bool = False) -> Path:
    """The example world with its rate limit lifted, :data:`BENCH_CLIENT_KEY` added and (unless
    ``webhook``) no webhook endpoint, written into ``directory``."""
    text = _EXAMPLE_WORLD.read_text().replace(
        "requests_per_second = 200\nburst = 400", "requests_per_second = 1e6\nburst = 1000000"
    )
    if not webhook:
        text = re.sub(r"\[\[games\.webhooks\]\]\n(?:.+\n)*", "", text)
    text += (
        f'\n[[keys]]\nkey = "{BENCH_CLIENT_KEY}"\nstudio = "studio_1"\ngame = "game_1"\n'
        'permission_set = "client_sdk"\nenvironment = "test"\n'
    )
    path = directory / "world.toml"
    path.write_text(text)
    return path


@dataclass(frozen=True)
class Served:
    """A server process answering on ``base_url``."""

    base_url: str
    pid: int

    def cpu(self) -> float:
        """The server's CPU seconds so far."""
        return cpu_seconds(self.pid)


@contextmanager
def serve_process(
    command: Sequence[str], port: int, env: dict[str, str] | None = None
) -> Iterator[Served]:
    """Run ``command`` (a server on ``port``) pinned to :data:`SERVER_CORE` until the block ends."""
    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        os.sched_setaffinity(process.pid, {SERVER_CORE})
        served = Served(f"http://127.0.0.1:{port}", process.pid)
        _wait_until_up(served.base_url, process)
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def local_process(
    db: str | None = None,
    *,
    workers: int = 1,
    world: Path | None = None,
    extra: Sequence[str] = (),
) -> Iterator[Served]:
    """Serve Kraty Local (``local serve``) in a subprocess; a fresh SQLite file unless ``db``.

    The server key is :data:`BENCH_KEY`; ``world``: a world file; ``extra``: more CLI options.
    """
    with scratch() as directory:
        port = free_port()
        target = db or str(Path(directory) / "bench.sqlite")
        command = [
            sys.executable,
            "-c",
            "from kraty_admin.cli import main; main()",
            "local",
            "serve",
            "--port",
            str(port),
            "--db",
            target,
            "--workers",
            str(workers),
            *(["--world", str(world)] if world else []),
            *extra,
        ]
        with serve_process(command, port, {"KRATY_LOCAL_SERVER_KEY": BENCH_KEY}) as served:
            yield served


@contextmanager
def local_server(
    db: str | None = None, *, workers: int = 1, world: Path | None = None
) -> Iterator[str]:
    """:func:`local_process`, yielding only the base URL."""
    with local_process(db, workers=workers, world=world) as served:
        yield served.base_url


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the benchmarked server exited during start-up")
        try:
            http_lib.get(
                f"{base_url}/server/v1/ping", headers={"Authorization": f"Bearer {BENCH_KEY}"}
            )
            return
        except http_lib.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the benchmarked server did not start within 60 s")
