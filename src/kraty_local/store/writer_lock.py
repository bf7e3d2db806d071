"""A first-come, first-served lock for SQLite's one writer.

SQLite lets one transaction write at a time; a writer that finds the database locked sleeps and
retries under the busy timeout, so under a burst the unlucky ones wait far longer than their
turn. Write transactions of one process queue here first, in arrival order, and only then take
``BEGIN IMMEDIATE`` (which other processes on the same file still contend for as before).
"""

from __future__ import annotations

import os
import threading
from collections import deque


class FifoLock:
    """A lock granted in arrival order (``threading.Lock`` promises no order)."""

    def __init__(self) -> None:
        """An unheld lock."""
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the lock, behind every earlier caller."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            gate = threading.Lock()
            gate.acquire()
            self._waiters.append(gate)
        if gate.acquire(timeout=timeout):
            return True  # the releaser handed the lock over
        with self._mutex:
            if gate in self._waiters:
                self._waiters.remove(gate)
                return False
        return True  # handed over just as the wait timed out

    def release(self) -> None:
        """Hand the lock to the longest waiter, or free it."""
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._held = False


_LOCKS: dict[str, FifoLock] = {}
_LOCKS_MUTEX = threading.Lock()


def writer_lock(database: str) -> FifoLock:
    """The process-wide writer lock of one SQLite file (every engine on it shares it)."""
    path = os.path.realpath(database)
    with _LOCKS_MUTEX:
        return _LOCKS.setdefault(path, FifoLock())
