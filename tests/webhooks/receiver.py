"""A webhook receiver for the tests: a real HTTP server on loopback that records every request."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One request as the receiver got it."""

    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        """The parsed JSON body."""
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


class Receiver:
    """Records every POST and answers ``status``; can be stopped and started on the same port."""

    def __init__(self) -> None:
        """Not listening until :meth:`start`."""
        self.status = 200
        self.delay = 0.0  # seconds to wait before answering
        self.received: list[Received] = []
        self.port = 0
        self._changed = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Where the receiver listens (stable across stop/start)."""
        return f"http://127.0.0.1:{self.port}/kraty/webhook"

    def start(self) -> Receiver:
        """Listen (on the previous port after a :meth:`stop`)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                time.sleep(receiver.delay)
                with receiver._changed:
                    receiver.received.append(Received(dict(self.headers.items()), body))
                    receiver._changed.notify_all()
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until :meth:`start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ids(self) -> set[str]:
        """Distinct event ids received so far."""
        return {event["id"] for event in self.events()}

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """Parsed bodies received so far, optionally only those of one event name."""
        with self._changed:
            events = [r.event for r in self.received]
        return [e for e in events if name is None or e["eventName"] == name]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until at least ``count`` requests arrived; return them all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"got {len(self.received)} of {count} deliveries")
                self._changed.wait(left)
            return list(self.received)
