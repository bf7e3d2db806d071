"""A webhook receiver for the tests: a real HTTP server on loopback that records every request."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
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
        self.slow_players: dict[str, float] = {}  # seconds to wait, by externalPlayerId
        self.arrived = 0  # requests read so far, answered or not
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
                with receiver._changed:
                    receiver.arrived += 1
                    receiver._changed.notify_all()
                player = json.loads(body).get("data", {}).get("externalPlayerId")
                time.sleep(receiver.slow_players.get(player, receiver.delay))
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
        """Block until at least ``count`` requests were answered; return them all."""
        self._wait(lambda: len(self.received) >= count, timeout, f"{count} deliveries")
        with self._changed:
            return list(self.received)

    def wait_for_arrivals(self, count: int, timeout: float = 10.0) -> None:
        """Block until at least ``count`` requests arrived (perhaps still unanswered)."""
        self._wait(lambda: self.arrived >= count, timeout, f"{count} arrivals")

    def _wait(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {what} within {timeout} s: got {len(self.received)}")
                self._changed.wait(left)
