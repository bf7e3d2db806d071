"""One Kraty Local on one socket, reused by many tests in turn, each with its own state.

Building the app (its routes and request models) and starting uvicorn cost most of a second;
what a test needs of its own is a *runtime*: its database, world, clock and start-up key. A
:class:`SharedServer` builds the app and binds the socket once; :meth:`SharedServer.serving`
opens a runtime for one test's settings (what the app's lifespan does), serves it while the test
runs and closes it afterwards, in milliseconds on an already migrated database.

One runtime at a time: tests in one process run one after another (pytest-xdist workers are
separate processes, each with its own shared server).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine

from kraty_local.app import create_app, running
from kraty_local.clock import Clock
from kraty_local.http11 import EnvelopeH11Protocol
from kraty_local.runtime import Runtime
from kraty_local.server import _bind, _run_in_thread
from kraty_local.settings import Settings
from kraty_local.tickless import TicklessServer
from kraty_local.webhooks.dispatcher import Dispatcher


@dataclass
class Served:
    """One test's view of a :class:`SharedServer`: the attributes of a running ``LocalServer``."""

    app: FastAPI
    host: str
    port: int
    runtime: Runtime | None
    _close: Callable[[], None] = lambda: None

    @property
    def settings(self) -> Settings:
        """The settings this runtime was opened with."""
        return self._open().settings

    @property
    def clock(self) -> Clock:
        """The clock the server reads (a ``FakeClock`` in tests can be advanced)."""
        return self._open().settings.clock

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the shared server."""
        return f"http://{self.host}:{self.port}"

    @property
    def engine(self) -> Engine:
        """This runtime's database engine (for inspection in tests)."""
        return self._open().engine

    @property
    def dispatcher(self) -> Dispatcher:
        """This runtime's webhook dispatcher."""
        return self._open().dispatcher

    @property
    def api_key(self) -> str:
        """The start-up server key (plaintext)."""
        return self._open().server_key

    @property
    def client_key(self) -> str:
        """The start-up ``client_sdk`` key of the default game (plaintext), for ``/sdk/v1``."""
        return self._open().client_key

    def stop(self) -> None:
        """Close this runtime now (dispatcher, database) rather than when the test ends."""
        self.runtime = None
        self._close()

    def _open(self) -> Runtime:
        if self.runtime is None:
            raise RuntimeError("this test's Kraty Local runtime is closed")
        return self.runtime


class SharedServer:
    """A Kraty Local app built once and served on one loopback socket; see the module docstring.

    >>> with SharedServer() as shared:  # doctest: +SKIP
    ...     with shared.serving(Settings(database="a.sqlite")) as server:
    ...         KratyAdmin(api_key=server.api_key, base_url=server.base_url)
    """

    def __init__(
        self, *, host: str = "127.0.0.1", max_body_bytes: int = Settings.max_body_bytes
    ) -> None:
        """Configure (nothing runs until :meth:`start`); every runtime it serves must have
        the same ``max_body_bytes`` (the only setting the app is built with)."""
        self.host = host
        self.port = 0
        self.max_body_bytes = max_body_bytes
        self.app = create_app(Settings(max_body_bytes=max_body_bytes))
        self._server: TicklessServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> SharedServer:
        """Bind a free port and serve (requests fail with a 500 while no runtime is open)."""
        sock = _bind(self.host, 0)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            http=EnvelopeH11Protocol,
        )
        server = TicklessServer(config)
        thread = threading.Thread(
            target=_run_in_thread, args=(server, sock), name="kraty-local-shared", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        while not server.started:
            if not thread.is_alive():
                sock.close()
                raise RuntimeError("Kraty Local failed to start (the log says why)")
            thread.join(0.01)
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join()
        self._server = self._thread = None

    @contextmanager
    def serving(self, settings: Settings) -> Iterator[Served]:
        """Open a runtime for ``settings`` (database, migrations, start-up key, dispatcher),
        serve it until the block ends, then close it."""
        if settings.max_body_bytes != self.max_body_bytes:
            raise ValueError("this shared server's app was built for another max_body_bytes")
        if not self._lock.acquire(blocking=False):
            raise RuntimeError("a shared Kraty Local serves one runtime at a time")
        try:
            with ExitStack() as stack:
                self.app.state.settings = settings
                runtime = stack.enter_context(running(self.app))
                served = Served(self.app, self.host, self.port, runtime, stack.close)
                try:
                    yield served
                finally:
                    served.stop()
        finally:
            self._lock.release()

    def __enter__(self) -> SharedServer:
        """Start."""
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        """Stop."""
        self.stop()
