"""Running Kraty Local: in a background thread (tests, demos) or blocking (the CLI)."""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType

import uvicorn
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from kraty_local.app import create_app
from kraty_local.clock import Clock, SystemClock
from kraty_local.db import database_url
from kraty_local.http11 import EnvelopeH11Protocol
from kraty_local.runtime import Runtime, prepare_database, runtime_of
from kraty_local.settings import Settings
from kraty_local.tickless import TicklessServer
from kraty_local.webhooks.dispatcher import Dispatcher
from kraty_local.workers import run_workers
from kraty_local.world import World, default_world


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
        self._server: TicklessServer | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
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

    @property
    def client_key(self) -> str:
        """The start-up ``client_sdk`` key of the default game (plaintext), for ``/sdk/v1``."""
        return self._started().client_key

    def _started(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the server is not started")
        return self._runtime

    def start(self) -> LocalServer:
        """Bind the socket, start serving, and return once requests are accepted.

        A failed start (busy port, unusable database) raises and leaves nothing running.
        """
        if self._server is not None:
            raise RuntimeError("the server is already started")
        app = create_app(self.settings)
        sock = _bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            app, log_level="warning", lifespan="on", access_log=False, http=EnvelopeH11Protocol
        )
        server = TicklessServer(config)
        thread = threading.Thread(
            target=_run_in_thread, args=(server, sock), name="kraty-local", daemon=True
        )
        self._server, self._thread, self._socket = server, thread, sock
        thread.start()
        while not server.started:
            if not thread.is_alive():
                self.stop()
                raise RuntimeError("Kraty Local failed to start (the log says why)")
            thread.join(0.01)
        self._runtime = runtime_of(app)
        return self

    def stop(self) -> None:
        """Stop serving; the app's lifespan closes the dispatcher and the database."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join()
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = self._runtime = None

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


def _run_in_thread(server: TicklessServer, sock: socket.socket) -> None:
    """Serve on ``sock``; a failed lifespan makes uvicorn exit, which ``start`` reports."""
    with contextlib.suppress(SystemExit):
        server.run(sockets=[sock])


def _bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``, closed again if binding fails.

    The protocol is named: asyncio switches Nagle's algorithm off (``TCP_NODELAY``) only on
    sockets whose ``proto`` says TCP, and without that, a response written in two parts waits
    out the client's delayed ACK (~40 ms per request).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def bind(host: str, port: int) -> socket.socket:
    """Bind ``host:port`` for :func:`serve` or :func:`serve_workers`, before anything else
    happens: ``OSError`` (e.g. ``EADDRINUSE``) when the port cannot be had."""
    sock = _bind(host, port)
    sock.set_inheritable(True)  # worker processes serve it too
    # Listening at once queues connections made while the database is prepared (a client that
    # read the announcement waits for the server instead of being refused).
    sock.listen(socket.SOMAXCONN)
    return sock


def serve(
    sock: socket.socket,
    settings: Settings,
    *,
    on_ready: Callable[[str, str], None] | None = None,
    access_log: bool = False,
) -> None:
    """Serve Kraty Local on the bound ``sock`` in the foreground until interrupted (the CLI's
    ``local serve``).

    The database is migrated and the keys settled first, then ``on_ready(server_key,
    client_key)`` runs (the CLI prints where to connect). ``access_log``: uvicorn's line per
    request (off by default: it costs CPU on every request). ``RuntimeError`` when the app
    fails to start.
    """
    server_key, client_key = prepare_database(settings)
    if on_ready is not None:
        on_ready(server_key, client_key)
    config = uvicorn.Config(
        create_app(settings),
        log_level="info",
        lifespan="on",
        access_log=access_log,
        http=EnvelopeH11Protocol,
    )
    server = TicklessServer(config)
    # uvicorn re-raises the SIGINT it handled once it has shut down: that is the normal end
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    if not server.started:
        raise RuntimeError("Kraty Local failed to start (the log above says why)")


def serve_workers(
    sock: socket.socket,
    settings: Settings,
    workers: int,
    *,
    on_ready: Callable[[str, str], None] | None = None,
    access_log: bool = False,
) -> None:
    """Serve Kraty Local on the bound ``sock`` with ``workers`` uvicorn processes sharing one
    PostgreSQL database.

    This process migrates the database and settles the server key; each worker builds its app
    from the same ``settings``, handed over (pickled) as the argument of its app factory. Each
    worker keeps its own rate-limit buckets. ``ValueError`` for a SQLite database.
    """
    if make_url(database_url(settings.database)).get_backend_name() != "postgresql":
        raise ValueError(
            "several workers need PostgreSQL (--db postgresql://...); "
            "SQLite allows one writer at a time, so serve it with one worker"
        )
    server_key, client_key = prepare_database(settings)
    if on_ready is not None:
        on_ready(server_key, client_key)
    host, port = sock.getsockname()[:2]
    worker_settings = replace(settings, server_key=server_key)
    config = uvicorn.Config(
        functools.partial(create_app, worker_settings),
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        lifespan="on",
        access_log=access_log,
        http=EnvelopeH11Protocol,
    )
    run_workers(config, sock)
