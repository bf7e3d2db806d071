"""The app's lifecycle: building it does no I/O; its lifespan opens the runtime and closes it in
reverse; a failed start (busy port, unusable database) leaves no thread, engine or file behind."""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from kraty_local import runtime as runtime_module
from kraty_local.app import create_app, running
from kraty_local.runtime import Runtime, runtime_of
from kraty_local.server import LocalServer
from kraty_local.settings import Settings
from tests._http import http_lib


def kraty_threads() -> list[str]:
    """Threads Kraty Local starts: the server thread, the dispatcher and its delivery pool."""
    return [t.name for t in threading.enumerate() if t.name.startswith("kraty-")]


def open_files(path: Path) -> list[str]:
    """This process's open file descriptors on ``path`` (or its WAL and shared-memory files)."""
    fds = Path("/proc/self/fd")
    targets = [os.path.realpath(fds / fd) for fd in os.listdir(fds)]
    return [t for t in targets if t.startswith(str(path))]


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> dict[Engine, bool]:
    """Every engine the runtime opens, mapped to whether it was disposed."""
    opened: dict[Engine, bool] = {}
    make_engine = runtime_module.make_engine

    def spying_make_engine(*args: Any, **kwargs: Any) -> Engine:
        engine = make_engine(*args, **kwargs)
        opened[engine] = False
        dispose = engine.dispose

        def spying_dispose(close: bool = True) -> None:
            opened[engine] = True
            dispose(close)

        monkeypatch.setattr(engine, "dispose", spying_dispose)
        return engine

    monkeypatch.setattr(runtime_module, "make_engine", spying_make_engine)
    return opened


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    """A SQLite file path nobody opened yet."""
    return tmp_path / "lifecycle.sqlite"


def test_building_the_app_opens_nothing(sqlite_file: Path, engines: dict[Engine, bool]) -> None:
    before = kraty_threads()

    app = create_app(Settings(database=str(sqlite_file)))

    assert not sqlite_file.exists()
    assert engines == {}
    assert kraty_threads() == before
    with pytest.raises(RuntimeError, match="not running"):
        runtime_of(app)


def test_the_lifespan_opens_the_runtime_and_closes_it_in_reverse(
    sqlite_file: Path, engines: dict[Engine, bool]
) -> None:
    app = create_app(Settings(database=str(sqlite_file)))
    before = kraty_threads()

    async def serve_one_request() -> Runtime:
        async with app.router.lifespan_context(app):  # what uvicorn runs around serving
            runtime = runtime_of(app)
            assert "kraty-webhooks" in kraty_threads()
            auth = {"Authorization": f"Bearer {runtime.server_key}"}
            transport = http_lib.ASGITransport(app)
            async with http_lib.AsyncClient(transport=transport, base_url="http://local") as http:
                assert (await http.get("/server/v1/ping", headers=auth)).status_code == 200
            return runtime

    runtime = asyncio.run(serve_one_request())

    assert engines == {runtime.engine: True}
    assert kraty_threads() == before
    assert open_files(sqlite_file) == []
    with pytest.raises(RuntimeError, match="not running"):
        runtime_of(app)


def test_running_opens_the_runtime_without_a_server(sqlite_file: Path) -> None:
    app = create_app(Settings(database=str(sqlite_file), webhook_poll_seconds=None))

    with running(app) as runtime:
        assert runtime_of(app) is runtime

    with pytest.raises(RuntimeError, match="not running"):
        runtime_of(app)


@pytest.mark.parametrize("freeze", [False, True])
def test_the_start_up_objects_leave_the_collectors_sight_only_when_asked(
    sqlite_file: Path, freeze: bool
) -> None:
    settings = Settings(database=str(sqlite_file), webhook_poll_seconds=None, freeze_gc=freeze)
    try:
        with LocalServer(settings=settings):
            frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()

    assert (frozen > 10_000) is freeze


def test_a_busy_port_fails_the_start_and_leaves_nothing_running(
    sqlite_file: Path, engines: dict[Engine, bool]
) -> None:
    before = kraty_threads()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = LocalServer(db=sqlite_file, port=taken.getsockname()[1])

        with pytest.raises(OSError, match="in use"):
            server.start()

    assert kraty_threads() == before
    assert engines == {}
    assert not sqlite_file.exists()


def test_an_unreachable_database_fails_the_start_and_leaves_nothing_running(
    engines: dict[Engine, bool],
) -> None:
    before = kraty_threads()
    server = LocalServer(db="postgresql://kraty@127.0.0.1:1/nowhere")

    with pytest.raises(RuntimeError, match="failed to start"):
        server.start()

    assert kraty_threads() == before
    assert list(engines.values()) == [True]


def test_a_failure_after_the_database_opened_closes_it(
    sqlite_file: Path, engines: dict[Engine, bool]
) -> None:
    before = kraty_threads()
    server = LocalServer(settings=Settings(database=str(sqlite_file), server_key="no dot"))

    with pytest.raises(RuntimeError, match="failed to start"):
        server.start()

    assert kraty_threads() == before
    assert list(engines.values()) == [True]
    assert sqlite_file.exists()  # migrated before the key was refused
    assert open_files(sqlite_file) == []
    with pytest.raises(RuntimeError, match="not started"):
        server.engine  # noqa: B018
