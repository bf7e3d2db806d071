"""A fault-injecting HTTP/1.1 proxy over real sockets, for the exactly-once tests.

It sits between the SDK and Kraty Local and, per request, either forwards it untouched or
injects one :class:`Fault`. The choice is made by a ``chooser`` from the request's method, path,
idempotency key and how many times that request was seen before, so a seeded chooser gives the
same faults whatever the order in which threads send their requests.

Every request is forwarded on a fresh upstream connection (closed after the answer); the client's
connection is kept alive until a fault closes it. Bodies are framed by ``Content-Length`` only:
that is all httpx sends and uvicorn answers here, and anything else fails loudly.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import random
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

#: How long a held connection waits for the client to give up before the proxy closes it anyway.
HOLD_CAP_SECONDS = 60.0


class Fault(enum.Enum):
    """What the proxy does to one request instead of forwarding it faithfully."""

    RESET = "reset"  # TCP RST before forwarding: the server never sees the request
    UNAVAILABLE = "unavailable"  # 503 + Retry-After without forwarding
    DROP = "drop"  # forwarded and answered (committed), then the socket closed with no answer
    CUT = "cut"  # forwarded and answered, then the headers and half the body, then closed
    HOLD = "hold"  # forwarded and answered, the answer held until the client times out
    LATE = "late"  # held until the client times out, then forwarded (the retry may win)


@dataclass(frozen=True)
class Request:
    """One HTTP request as the proxy read it."""

    method: str
    path: str
    head: bytes
    body: bytes
    idempotency_key: str | None
    seen: int  # how many times this (method, path, key) came before this one


Chooser = Callable[[Request], "Fault | None"]


def seeded_chooser(seed: int, rate: float) -> Chooser:
    """Fault ``rate`` of requests, each kind equally likely, decided per (request, attempt).

    The decision for the n-th sending of a request depends only on the seed, the method, the
    path's last segment (the action: not an id the server generated, such as a grant's), the
    idempotency key and n: the same on every run, under any thread interleaving.
    """
    choices = list(Fault)

    def choose(request: Request) -> Fault | None:
        action = request.path.rsplit("/", 1)[-1]
        draw = random.Random(
            f"{seed}|{request.method}|{action}|{request.idempotency_key}|{request.seen}"
        )
        return draw.choice(choices) if draw.random() < rate else None

    return choose


def scripted_chooser(faults: Sequence[Fault | None]) -> Chooser:
    """The given faults for the first requests in arrival order, then none."""
    queue = list(faults)
    lock = threading.Lock()

    def choose(_: Request) -> Fault | None:
        with lock:
            return queue.pop(0) if queue else None

    return choose


@dataclass(frozen=True)
class Record:
    """What happened to one request: the fault (if any) and the server's status (if forwarded)."""

    method: str
    path: str
    idempotency_key: str | None
    fault: Fault | None
    upstream_status: int | None


class FaultProxy:
    """The proxy, served by an asyncio loop in a background thread.

    >>> with FaultProxy(("127.0.0.1", 8787), seeded_chooser(1, 0.3)) as proxy:  # doctest: +SKIP
    ...     KratyAdmin(api_key=key, base_url=proxy.base_url)
    """

    def __init__(self, upstream: tuple[str, int], chooser: Chooser) -> None:
        """Forward to ``upstream`` (host, port), faulting what ``chooser`` picks."""
        self.upstream = upstream
        self.chooser = chooser
        self.port = 0
        self.records: list[Record] = []  # one per request, in the order they finished
        self._seen: Counter[tuple[str, str, str | None]] = Counter()
        self._connections: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        """Where clients connect."""
        return f"http://127.0.0.1:{self.port}"

    def injected(self) -> Counter[Fault]:
        """How many times each fault was injected so far."""
        return Counter(r.fault for r in self.records if r.fault is not None)

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        """Listen on a free loopback port; return once connections are accepted."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        server = self._call(asyncio.start_server(self._accept, "127.0.0.1", 0)).result()
        self._server = server
        self.port = server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        """Stop listening, let every connection finish (held ones end when their client
        disconnects, at the latest after ``HOLD_CAP_SECONDS``), then stop the loop."""
        if self._loop is None or self._thread is None:
            return
        self._call(self._shutdown()).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
        self._loop = self._thread = self._server = None

    def __enter__(self) -> FaultProxy:
        """Start."""
        return self.start()

    def __exit__(self, *_: object) -> None:
        """Stop."""
        self.stop()

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> Future[T]:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        if self._connections:
            await asyncio.wait(self._connections, timeout=HOLD_CAP_SECONDS)

    # --- one client connection -------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while (request := await self._read_request(reader)) is not None:
                fault = self.chooser(request)
                if not await self._handle(request, fault, reader, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            self._connections.discard(task)

    async def _read_request(self, reader: asyncio.StreamReader) -> Request | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None  # the client closed its idle connection
        method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        body = await reader.readexactly(_content_length(head))
        key = None
        if body:
            payload = json.loads(body)
            key = payload.get("idempotencyKey") if isinstance(payload, dict) else None
        seen = self._seen[(method, target, key)]
        self._seen[(method, target, key)] += 1
        return Request(method, target, head, body, key, seen)

    async def _handle(
        self,
        request: Request,
        fault: Fault | None,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        """Serve one request, faulted or not; ``False`` when the client connection is done."""
        status = None
        try:
            if fault is Fault.RESET:
                _reset(writer)
                return False
            if fault is Fault.UNAVAILABLE:
                writer.write(_UNAVAILABLE)
                await writer.drain()
                return True
            if fault is Fault.LATE:
                await _until_client_gives_up(reader)
                status, _ = await self._forward(request)
                return False
            status, answer = await self._forward(request)
            if fault is None:
                writer.write(answer)
                await writer.drain()
                return True
            if fault is Fault.CUT:
                body_start = answer.index(b"\r\n\r\n") + 4
                writer.write(answer[: body_start + (len(answer) - body_start) // 2])
                await writer.drain()
            elif fault is Fault.HOLD:
                await _until_client_gives_up(reader)
            return False  # DROP, CUT and HOLD all end by closing the client's socket
        finally:
            self.records.append(
                Record(request.method, request.path, request.idempotency_key, fault, status)
            )

    async def _forward(self, request: Request) -> tuple[int, bytes]:
        """Send the request upstream on a new connection; the status and the whole answer."""
        reader, writer = await asyncio.open_connection(*self.upstream)
        try:
            writer.write(request.head + request.body)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            body = await reader.readexactly(_content_length(head))
        finally:
            writer.close()
        return int(head.split(b" ", 2)[1]), head + body


_UNAVAILABLE_BODY = json.dumps(
    {"error": {"code": "unavailable", "message": "injected by the fault proxy", "details": None}}
).encode()
_UNAVAILABLE = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    b"retry-after: 1\r\ncontent-length: %d\r\n\r\n" % len(_UNAVAILABLE_BODY)
) + _UNAVAILABLE_BODY


def _content_length(head: bytes) -> int:
    length = 0
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "transfer-encoding":
            raise AssertionError("the fault proxy frames bodies by Content-Length only")
        if name == "content-length":
            length = int(value)
    return length


def _reset(writer: asyncio.StreamWriter) -> None:
    """Abort with a TCP RST (linger 0) rather than an orderly FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _until_client_gives_up(reader: asyncio.StreamReader) -> None:
    """Wait until the client closes its side (its timeout fired), capped at HOLD_CAP_SECONDS."""
    with contextlib.suppress(asyncio.TimeoutError, ConnectionError):
        await asyncio.wait_for(reader.read(), timeout=HOLD_CAP_SECONDS)
