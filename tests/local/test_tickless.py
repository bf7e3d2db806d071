"""Kraty Local's uvicorn server has no ten-per-second tick: it sleeps until told to stop, and the
``Date`` header is made when a response is sent, so it stays current however long the server
sat idle."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

from kraty_local.server import LocalServer

from .._http import http_lib
from .test_cli import EXECUTABLE, _free_port


def _date(server: LocalServer) -> datetime:
    response = http_lib.get(
        f"{server.base_url}/server/v1/ping", headers={"Authorization": f"Bearer {server.api_key}"}
    )
    assert response.status_code == 200
    return parsedate_to_datetime(response.headers["date"])


def test_the_date_header_is_current_after_the_server_sat_idle(tmp_path: Path) -> None:
    with LocalServer(db=tmp_path / "idle.sqlite") as server:
        first = _date(server)
        time.sleep(1.5)
        before = datetime.now(timezone.utc).replace(microsecond=0)
        second = _date(server)
        after = datetime.now(timezone.utc)

    assert first < before <= second <= after


def test_an_idle_server_wakes_up_to_stop(tmp_path: Path) -> None:
    server = LocalServer(db=tmp_path / "stop.sqlite").start()
    time.sleep(0.5)  # nothing to do: its main loop sleeps
    stopping = threading.Thread(target=server.stop, daemon=True)

    stopping.start()
    stopping.join(timeout=30)

    assert not stopping.is_alive()


def wait_until_serving(base_url: str) -> None:
    """Return once ``base_url`` answers HTTP (its signal handlers are in place by then)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            http_lib.get(f"{base_url}/server/v1/ping")
            return
        except http_lib.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_sigterm_stops_an_idle_local_serve(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [EXECUTABLE, "local", "serve", "--port", str(port), "--db", str(tmp_path / "t.sqlite")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}")
        time.sleep(1)  # idle
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == -signal.SIGTERM  # the shell's 143
    finally:
        process.kill()
        process.wait()
