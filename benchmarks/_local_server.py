"""Start Kraty Local in its own process for a benchmark, on loopback, and stop it after."""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kraty_admin._http import LIBRARY

# The HTTP library the SDK uses here (httpx2 on Python 3.11+, httpx on 3.10).
http_lib = importlib.import_module(LIBRARY)

BENCH_KEY = "kl_bench.benchmark-secret"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_server(
    db: str | None = None, *, workers: int = 1, world: Path | None = None
) -> Iterator[str]:
    """Serve Kraty Local in a subprocess (a fresh SQLite file unless ``db`` is given).

    Yields the base URL; the server key is :data:`BENCH_KEY`. ``world``: a world file.
    """
    with tempfile.TemporaryDirectory(prefix="kraty-bench-") as scratch:
        port = free_port()
        target = db or str(Path(scratch) / "bench.sqlite")
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
        ]
        env = {**os.environ, "KRATY_LOCAL_SERVER_KEY": BENCH_KEY}
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base_url, process)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("Kraty Local exited during start-up")
        try:
            http_lib.get(
                f"{base_url}/server/v1/ping", headers={"Authorization": f"Bearer {BENCH_KEY}"}
            )
            return
        except http_lib.TransportError:
            time.sleep(0.1)
    raise RuntimeError("Kraty Local did not start within 60 s")
