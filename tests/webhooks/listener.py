"""``kraty-admin webhooks listen`` as a real subprocess, its output read line by line."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

_MAIN = "from kraty_admin.cli import main; main()"
#: The signing secret every listener is started with (as a user exports it for the receiver).
SECRET = "whsec_listener-test-secret-0123456789"


class Listener:
    """A running ``webhooks listen --forward-to URL`` against a Kraty Local."""

    def __init__(self, base_url: str, api_key: str, forward_to: str) -> None:
        """Start the command (the key goes through the environment, as a user would pass it)."""
        env = {
            **os.environ,
            "KRATY_SERVER_KEY": api_key,
            "KRATY_WEBHOOK_SECRET": SECRET,
            "PYTHONUNBUFFERED": "1",
        }
        options = ["--base-url", base_url, "--forward-to", forward_to]
        self.process = subprocess.Popen(
            [sys.executable, "-c", _MAIN, "webhooks", "listen", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._new.put(line.rstrip("\n"))
        self._new.put(None)

    def wait_for(self, wanted: Callable[[str], object], timeout: float = 15.0, nth: int = 1) -> str:
        """The ``nth`` line (printed so far or to come) for which ``wanted`` holds."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for line in self.lines[seen:]:
                nth -= bool(wanted(line))
                if not nth:
                    return line
            seen = len(self.lines)
            try:
                line = self._new.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no such line in {self.lines}") from None
            if line is None:
                self._new.put(None)
                raise AssertionError(f"listen exited; it printed {self.lines}")
            self.lines.append(line)

    def ready(self) -> None:
        """Wait until the stream is open."""
        self.wait_for(lambda line: line.startswith("Signed with the secret in "))

    def stop(self, signum: int = signal.SIGINT, timeout: float = 15.0) -> int:
        """Send ``signum``, wait for the exit and the rest of the output; the exit status."""
        self.process.send_signal(signum)
        return self.finish(timeout)

    def finish(self, timeout: float = 15.0) -> int:
        """Wait for the exit and the rest of the output; the exit status."""
        status = self.process.wait(timeout)
        while (line := self._new.get(timeout=timeout)) is not None:
            self.lines.append(line)
        self._new.put(None)
        return status

    def kill(self) -> None:
        """Stop it the way nothing can clean up after (SIGKILL)."""
        self.process.kill()
        self.process.wait()
