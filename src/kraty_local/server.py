"""Running Kraty Local: in a background thread (tests, demos) or blocking (the CLI)."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from types import TracebackType

import uvicorn
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from kraty_local.app import create_app
from kraty_local.clock import Clock, SystemClock
from kraty_local.db import database_url
from kraty_local.runtime import Runtime
from kraty_local.settings import DATABASE_ENV, SERVER_KEY_ENV, WORLD_FILE_ENV, Settings
from kraty_local.webhooks.dispatcher import Dispatcher
from kraty_local.world import World, default_world, load_world


class LocalServer:
    """Kraty Local on a real socket, served by uvicorn in a background thread.

    >>> with LocalServer(db="kraty.sqlite") as server:  # doctest: +SKIP
    ...     KratyAdmin(api_key=server.api_key, base_url=server.base_url)
    """

    def __init__(
        self,
        *,
        db: str | Path | None = None,
        world: World | None = None,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        settings: Settings | None = None,
    ) -> None:
        """Configure (nothing runs until :meth:`start`); ``port=0`` picks a free port.

        Either ``db`` (with optional ``world`` and ``clock``) or complete ``settings``.
        """
        if settings is None:
            if db is None:
                raise ValueError("LocalServer needs db= or settings=")
            settings = Settings(
                database=str(db), world=world or default_world(), clock=clock or SystemClock()
            )
        self.settings = settings
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._runtime: Runtime | None = None

    @property
    def clock(self) -> Clock:
        """The clock the server reads (a ``FakeClock`` in tests can be advanced)."""
        return self.settings.clock

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server."""
        return f"http://{self.host}:{self.port}"

    @property
    def engine(self) -> Engine:
        """The database engine of the running server (for inspection in tests)."""
        return self._started().engine

    @property
    def dispatcher(self) -> Dispatcher:
        """The webhook dispatcher (``run_once()`` delivers what is due, by the server's clock)."""
        return self._started().dispatcher

    @property
    def api_key(self) -> str:
        """The start-up server key (plaintext)."""
        return self._started().server_key

    def _started(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the server is not started")
        return self._runtime

    def start(self) -> LocalServer:
        """Bind the socket, start serving, and return once requests are accepted."""
        if self._server is not None:
            raise RuntimeError("the server is already started")
        app = create_app(self.settings)
        self._runtime = app.state.runtime
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="kraty-local", daemon=True
        )
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("Kraty Local failed to start")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and close the database."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join()
        if self._runtime is not None:
            self._runtime.close()
        self._server = self._thread = self._runtime = None

    def __enter__(self) -> LocalServer:
        """Start."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop."""
        self.stop()


def serve(host: str, port: int, db: str, world: World, *, announce: bool = True) -> None:
    """Serve Kraty Local in the foreground until interrupted (the CLI's ``local serve``)."""
    supplied = bool(os.environ.get(SERVER_KEY_ENV))
    app = create_app(Settings(database=db, world=world))
    runtime: Runtime = app.state.runtime
    if announce:
        _announce(host, port, db, runtime.server_key, supplied=supplied)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", lifespan="off")
    finally:
        runtime.close()


def serve_workers(
    host: str, port: int, db: str, world_file: str | None, workers: int, *, announce: bool = True
) -> None:
    """Serve Kraty Local with ``workers`` uvicorn processes sharing one PostgreSQL database.

    This process migrates the database and settles the server key, then passes the database,
    world file and key to the workers in the environment (:meth:`Settings.from_env`). Each
    worker keeps its own rate-limit buckets. ``ValueError`` for a SQLite database.
    """
    if make_url(database_url(db)).get_backend_name() != "postgresql":
        raise ValueError(
            "several workers need PostgreSQL (--db postgresql://...); "
            "SQLite allows one writer at a time, so serve it with one worker"
        )
    world = load_world(world_file) if world_file else default_world()
    supplied = bool(os.environ.get(SERVER_KEY_ENV))
    runtime = Runtime.start(Settings(database=db, world=world, webhook_poll_seconds=None))
    runtime.close()
    os.environ[DATABASE_ENV] = db
    os.environ[SERVER_KEY_ENV] = runtime.server_key
    if world_file:
        os.environ[WORLD_FILE_ENV] = str(Path(world_file).resolve())
    if announce:
        _announce(host, port, db, runtime.server_key, supplied=supplied, workers=workers)
    uvicorn.run(
        "kraty_local.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


def _announce(
    host: str, port: int, db: str, server_key: str, *, supplied: bool, workers: int = 1
) -> None:
    """Print where to connect. A key Kraty Local generated for itself is shown so it can be
    copied; a key the operator supplied in the environment is never echoed back."""
    base_url = f"http://{host}:{port}"
    processes = f", {workers} worker processes" if workers > 1 else ""
    print(f"Kraty Local listening on {base_url}  (database: {db}{processes})")
    if supplied:
        prefix = server_key.split(".", 1)[0]
        print(f"Server key: {prefix}.… (from ${SERVER_KEY_ENV})")
        key_expression = f'os.environ["{SERVER_KEY_ENV}"]'
    else:
        print(f"Server key (generated for this database): {server_key}")
        key_expression = f'"{server_key}"'
    print("Python:")
    print("    from kraty_admin import KratyAdmin")
    print(f'    kraty = KratyAdmin(api_key={key_expression}, base_url="{base_url}")')
