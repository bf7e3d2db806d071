"""The idle dispatcher sleeps instead of polling: a committed event wakes it (on PostgreSQL, one
committed by another process too), and so does the due time of a retry; the poll interval is
only a safety net (a minute here, never reached).

Two servers on one PostgreSQL database stand for two worker processes: each has its own engine,
and a commit signals its own engine's dispatcher only; the other learns of it by NOTIFY."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from kraty_admin import KratyAdmin
from kraty_local.clock import FakeClock
from kraty_local.server import LocalServer
from kraty_local.settings import Settings

from .conftest import SCHEDULE
from .receiver import Receiver

SAFETY_NET = 60.0
#: How long the receiver takes to answer each event of the player "slow".
SLOW = 4.0


def _on_postgresql(database_target: str) -> None:
    if "://" not in database_target:
        pytest.skip("processes share one database on PostgreSQL only")


def _a_credit_is_delivered(through: LocalServer, receiver: Receiver) -> None:
    """Credit a new player through ``through`` while the dispatcher sleeps: both events arrive
    within seconds (far from the safety net)."""
    time.sleep(0.3)  # the dispatcher's first pass found nothing: it sleeps now
    with KratyAdmin(api_key=through.api_key, base_url=through.base_url) as kraty:
        kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="w1")
    receiver.wait_for(2, timeout=10)
    assert [e["eventName"] for e in receiver.events()] == ["player.registered", "wallet.changed"]


def test_a_committed_event_wakes_the_idle_dispatcher(
    settings: Settings, receiver: Receiver
) -> None:
    with LocalServer(settings=replace(settings, webhook_poll_seconds=SAFETY_NET)) as server:
        _a_credit_is_delivered(server, receiver)


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


def test_a_commit_of_another_process_wakes_the_idle_dispatcher(
    settings: Settings, receiver: Receiver, database_target: str
) -> None:
    _on_postgresql(database_target)
    dispatching = replace(settings, webhook_poll_seconds=SAFETY_NET)
    writing = replace(settings, webhook_poll_seconds=None)  # a process whose dispatcher is off
    with LocalServer(settings=dispatching), LocalServer(settings=writing) as writer:
        _a_credit_is_delivered(writer, receiver)


def test_another_process_delivers_while_the_committing_one_is_busy(
    settings: Settings, receiver: Receiver, database_target: str
) -> None:
    """Process A's dispatcher is posting a slow player's events (one after the other, in one
    pass) when A commits another player's: B's dispatcher, woken by the NOTIFY, sends those
    meanwhile. Without the wake-up they would wait for A's pass to end, or B's safety net."""
    _on_postgresql(database_target)
    receiver.slow_players["slow"] = SLOW
    settings = replace(settings, webhook_poll_seconds=SAFETY_NET)
    with (
        LocalServer(settings=settings) as a,
        KratyAdmin(api_key=a.api_key, base_url=a.base_url) as kraty,
    ):
        kraty.wallet.credit("slow", "gold", amount=1, idempotency_key="s1")
        receiver.wait_for_arrivals(1)  # A holds both of the slow player's deliveries
        # B's first pass finds nothing to send (what is due waits behind A's lease): it sleeps
        with LocalServer(settings=settings):
            kraty.wallet.credit("fast", "gold", amount=1, idempotency_key="f1")
            received = receiver.wait_for(4, timeout=3 * SLOW)
    players = [r.event["data"]["externalPlayerId"] for r in received]
    assert sorted(players) == ["fast", "fast", "slow", "slow"]
    slow = [index for index, player in enumerate(players) if player == "slow"]
    assert players.index("fast") < slow[1]  # delivered before A's pass ended
