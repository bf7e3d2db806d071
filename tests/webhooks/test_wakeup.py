"""The idle dispatcher sleeps instead of polling: a committed event wakes it, and so does the
due time of a retry; the poll interval is only a safety net (a minute here, never reached)."""

from __future__ import annotations

import time
from dataclasses import replace

from kraty_admin import KratyAdmin
from kraty_local.clock import FakeClock
from kraty_local.server import LocalServer
from kraty_local.settings import Settings

from .conftest import SCHEDULE
from .receiver import Receiver

SAFETY_NET = 60.0


def test_a_committed_event_wakes_the_idle_dispatcher(
    settings: Settings, receiver: Receiver
) -> None:
    started = time.monotonic()
    with LocalServer(settings=replace(settings, webhook_poll_seconds=SAFETY_NET)) as server:
        time.sleep(0.3)  # its first pass found nothing: it sleeps now
        with KratyAdmin(api_key=server.api_key, base_url=server.base_url) as kraty:
            kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="w1")
        receiver.wait_for(2, timeout=10)
    assert [e["eventName"] for e in receiver.events()] == ["player.registered", "wallet.changed"]
    assert time.monotonic() - started < SAFETY_NET


def test_a_retry_wakes_the_dispatcher_when_it_falls_due(
    settings: Settings, receiver: Receiver, clock: FakeClock
) -> None:
    receiver.status = 500
    with LocalServer(settings=replace(settings, webhook_poll_seconds=SAFETY_NET)) as server:
        with KratyAdmin(api_key=server.api_key, base_url=server.base_url) as kraty:
            kraty.inventory.grant("p1", "sword", 1, idempotency_key="g1")
        receiver.wait_for(1, timeout=10)  # the first attempt failed: a retry is scheduled
        receiver.status = 200
        # Moving the fake clock past the retry's due time signals nothing: the dispatcher, asleep
        # until that due time (about a second by the clock it read) rather than for the safety
        # net, wakes by itself, retries, and goes on to the player's next event. (The clock moves
        # again while waiting: the failure may have been recorded after the first move.)
        deadline = time.monotonic() + 10
        while len(receiver.received) < 3 and time.monotonic() < deadline:
            clock.advance(SCHEDULE[0] * 2)
            time.sleep(0.5)
        received = receiver.wait_for(3, timeout=1)
    assert [r.event["eventName"] for r in received] == [
        "player.registered",
        "player.registered",
        "inventory.changed",
    ]
