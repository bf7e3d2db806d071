"""Several worker processes serving one socket, supervised without polling.

uvicorn's supervisor wakes twice a second to ping every worker over a pipe (each worker answers
from a thread of its own); this one sleeps until a signal arrives or a worker exits, and its
workers run :class:`~kraty_local.tickless.TicklessServer`, so an idle ``local serve --workers N``
uses no CPU. A worker that exits is replaced, unless it failed to start: a replacement would
fail the same way, so every worker stops and :func:`run_workers` raises. SIGINT or SIGTERM stops
the workers (SIGTERM: each finishes its responses in flight). A worker that hangs without
exiting is not detected (uvicorn's pings would kill and replace it).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
from collections.abc import Iterator
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from kraty_local.tickless import TicklessServer

logger = logging.getLogger("uvicorn.error")
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_workers(config: uvicorn.Config, sock: socket.socket) -> None:
    """Serve ``config`` (an app that can be pickled, e.g. a factory) on the bound ``sock`` with
    ``config.workers`` processes until SIGINT or SIGTERM (see the module doc)."""
    logger.info("Started parent process [%d]", os.getpid())
    with _stop_signals() as stopped:
        workers = [_start(config, sock) for _ in range(config.workers)]
        try:
            _supervise(config, sock, workers, stopped)
        finally:
            for worker in workers:
                if worker.is_alive():
                    worker.terminate()
            for worker in workers:
                worker.join()
    logger.info("Stopping parent process [%d]", os.getpid())


def _supervise(
    config: uvicorn.Config, sock: socket.socket, workers: list[BaseProcess], stopped: socket.socket
) -> None:
    """Replace workers that exit until a stop signal arrives; ``RuntimeError`` when one failed
    to start."""
    while True:
        ready = wait([stopped, *(worker.sentinel for worker in workers)])
        if stopped in ready:
            return
        for index, worker in enumerate(workers):
            if worker.sentinel not in ready:
                continue
            worker.join()
            if worker.exitcode == STARTUP_FAILURE:
                raise RuntimeError("a worker failed to start (the log above says why)")
            logger.info("Child process [%d] died", worker.pid)
            workers[index] = _start(config, sock)


@contextlib.contextmanager
def _stop_signals() -> Iterator[socket.socket]:
    """A socket that becomes readable once SIGINT or SIGTERM arrives (while the block runs)."""
    reader, writer = socket.socketpair()
    with reader, writer:
        writer.setblocking(False)

        def stop(sig: int, _frame: object) -> None:
            logger.info("Received %s, exiting.", signal.Signals(sig).name)
            with contextlib.suppress(BlockingIOError):
                writer.send(b"\0")

        previous = {sig: signal.signal(sig, stop) for sig in _STOP_SIGNALS}
        try:
            yield reader
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _start(config: uvicorn.Config, sock: socket.socket) -> BaseProcess:
    """A new worker process serving ``sock`` (spawned: nothing of this process is inherited)."""
    worker = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(config, sock), name="kraty-local-worker"
    )
    worker.start()
    return worker


def _serve(config: uvicorn.Config, sock: socket.socket) -> None:
    """A worker's life: serve until told to stop (a Ctrl-C reaches every process)."""
    config.configure_logging()
    with contextlib.suppress(KeyboardInterrupt):
        TicklessServer(config).run(sockets=[sock])
