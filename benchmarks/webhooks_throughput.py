"""Webhook delivery throughput: events per second from Kraty Local to a receiver on loopback.

Queues ``--events`` events straight into the outbox of a fresh SQLite Kraty Local (spread over
``--players`` players; each player's events are delivered in order, one at a time), then times
the dispatcher draining them to a uvicorn receiver in another process that verifies every
signature with ``verify_webhook``. Prints one row per scenario: the spread-out case and the
worst case of a single player's ordered stream. Run:
``uv run python benchmarks/webhooks_throughput.py [--events N] [--players N]``.
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import socket
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import uvicorn

from kraty_admin import verify_webhook
from kraty_admin._http import LIBRARY
from kraty_local import outbox
from kraty_local.db import transaction
from kraty_local.server import LocalServer
from kraty_local.settings import Settings
from kraty_local.world import WebhookEndpoint, default_world

# The HTTP library the SDK uses here (httpx2 on Python 3.11+, httpx on 3.10).
http_lib = importlib.import_module(LIBRARY)

SECRET = "whsec_benchmark"  # noqa: S105 - a throwaway secret of this benchmark


async def receiver(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A minimal ASGI receiver: verify the signature on the raw body, answer 200 (or 401)."""
    if scope["type"] != "http":
        return
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    header = dict(scope["headers"]).get(b"x-signature", b"").decode()
    ok = verify_webhook(raw_body=body, signature_header=header, secret=SECRET)
    await send({"type": "http.response.start", "status": 200 if ok else 401, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def run_receiver(port: int) -> None:
    """The receiver process."""
    uvicorn.run(receiver, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def queue_events(server: LocalServer, count: int, players: int) -> None:
    """Write ``count`` wallet.changed events (and their deliveries) in batches of 500."""
    game = server.settings.world.games["game_1"]
    for start in range(0, count, 500):
        with transaction(server.engine) as conn:
            for i in range(start, min(start + 500, count)):
                outbox.emit(
                    conn,
                    game=game,
                    event_name="wallet.changed",
                    data={"playerId": f"player_{i % players}", "balance": i, "delta": 1},
                    now=server.clock.now(),
                )


def main() -> None:
    """Run both scenarios and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="events per scenario")
    parser.add_argument("--players", type=int, default=500, help="players of the spread case")
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}/kraty/webhook"
    process = multiprocessing.Process(target=run_receiver, args=(port,), daemon=True)
    process.start()
    while True:
        try:
            http_lib.post(url, content=b"")
            break
        except http_lib.TransportError:
            time.sleep(0.05)
    world = default_world()
    game = replace(world.games["game_1"], webhooks=(WebhookEndpoint(url, (SECRET,)),))
    world = replace(world, games={**world.games, "game_1": game})
    print(f"{'scenario':<22} {'events':>7} {'seconds':>8} {'events/s':>9}")
    try:
        for label, players in ((f"{args.players} players", args.players), ("1 player", 1)):
            events = args.events if players > 1 else max(args.events // 5, 1)
            with tempfile.TemporaryDirectory() as tmp:
                settings = Settings(
                    database=str(Path(tmp) / "kraty-local.sqlite"),
                    world=world,
                    webhook_poll_seconds=None,
                )
                with LocalServer(settings=settings) as server:
                    queue_events(server, events, players)
                    start = time.perf_counter()
                    delivered = server.dispatcher.drain()
                    seconds = time.perf_counter() - start
            if delivered != events:
                raise SystemExit(f"{label}: {delivered} attempts for {events} events")
            print(f"{label:<22} {events:>7} {seconds:>8.2f} {events / seconds:>9.0f}")
    finally:
        process.terminate()


if __name__ == "__main__":
    main()
