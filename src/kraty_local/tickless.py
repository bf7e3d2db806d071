"""uvicorn's server without its ten-per-second tick, so that an idle Kraty Local uses no CPU.

uvicorn's main loop wakes every 0.1 s to see whether it should exit and, once a second, to
refresh the ``Date`` header. :class:`TicklessServer` sleeps on an event instead, set when
``should_exit`` becomes true (a signal handler, or ``LocalServer.stop`` from another thread), and
its :class:`DatedServerState` formats the ``Date`` header when a response reads it, once per
second at most. uvicorn's ``limit_max_requests`` and ``callback_notify`` (its gunicorn worker)
are checked by the tick: with either configured, the server ticks as uvicorn's does.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate

import uvicorn
from uvicorn.server import ServerState

Headers = list[tuple[bytes, bytes]]


class DatedServerState(ServerState):
    """uvicorn's state shared by every connection, whose default headers carry the current
    ``Date`` (formatted when read, cached for the second) instead of the tick's."""

    def __init__(self, config: uvicorn.Config) -> None:
        """Serve the headers of ``config`` (read when a response needs them: after ``load``)."""
        self._config = config
        self._second = -1
        self._dated: Headers = []
        super().__init__()

    @property
    def default_headers(self) -> Headers:
        """``Date`` (unless ``date_header=False``) and the configured headers."""
        if not self._config.date_header:
            return self._config.encoded_headers
        second = int(time.time())
        if second != self._second:
            date = formatdate(second, usegmt=True).encode()
            self._dated = [(b"date", date), *self._config.encoded_headers]
            self._second = second
        return self._dated

    @default_headers.setter
    def default_headers(self, headers: Headers) -> None:
        """Ignored: uvicorn assigns what this state computes when read."""


class TicklessServer(uvicorn.Server):
    """A ``uvicorn.Server`` whose main loop sleeps until it should exit (see the module doc)."""

    def __init__(self, config: uvicorn.Config) -> None:
        """Like ``uvicorn.Server``, with a :class:`DatedServerState`."""
        self._should_exit = False
        self._wake: Callable[[], object] | None = None
        super().__init__(config)
        self.server_state = DatedServerState(config)

    @property
    def should_exit(self) -> bool:
        """Whether the server is to stop; setting it true wakes the main loop (any thread)."""
        return self._should_exit

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        self._should_exit = value
        wake = self._wake
        if value and wake is not None:
            with contextlib.suppress(RuntimeError):  # its loop is closed: it has stopped already
                wake()

    async def main_loop(self) -> None:
        """Wait until :attr:`should_exit` (uvicorn's ticking loop when its tick has work)."""
        if self.config.limit_max_requests is not None or self.config.callback_notify is not None:
            await super().main_loop()
            return
        loop, exiting = asyncio.get_running_loop(), asyncio.Event()
        with _wake_on_signals(loop):
            self._wake = functools.partial(loop.call_soon_threadsafe, exiting.set)
            if not self.should_exit:  # it may have been set before it could wake the loop
                await exiting.wait()


@contextlib.contextmanager
def _wake_on_signals(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Have a signal wake ``loop`` (run by the main thread) whichever thread receives it.

    Python runs signal handlers in the main thread only, when it runs Python code: a signal the
    system hands to another thread (the webhook dispatcher's, say) would wait, unhandled, for
    something else to wake the loop. Python's wakeup fd is written from any thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    reader, writer = socket.socketpair()
    with reader, writer:
        reader.setblocking(False)
        writer.setblocking(False)
        previous = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        loop.add_reader(reader.fileno(), _drain, reader)
        try:
            yield
        finally:
            loop.remove_reader(reader.fileno())
            signal.set_wakeup_fd(previous)


def _drain(reader: socket.socket) -> None:
    """Empty the wakeup socket (the wake-up itself lets Python run the handler)."""
    with contextlib.suppress(BlockingIOError):
        while reader.recv(512):
            pass
