"""At least once: failures are retried on the world's schedule, then dead; nothing is lost."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace

from sqlalchemy import select

from kraty_admin import KratyAdmin
from kraty_local.server import LocalServer
from kraty_local.settings import Settings
from kraty_local.store.schema import webhook_deliveries, webhook_outbox
from kraty_local.webhooks.dispatcher import Dispatcher

from .conftest import SCHEDULE
from .receiver import Receiver


def deliveries_of(server: LocalServer) -> list[tuple[str, str, int, int | None]]:
    """(event name, status, attempts, last HTTP status) of every delivery, in order."""
    d, o = webhook_deliveries, webhook_outbox
    with server.engine.connect() as conn:
        rows = conn.execute(
            select(o.c.event_name, d.c.status, d.c.attempts, d.c.last_status)
            .join(o, o.c.id == d.c.event_id)
            .order_by(d.c.id)
        ).all()
    return [tuple(row) for row in rows]


def test_receiver_down_then_up_loses_nothing_and_retries_on_schedule(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    receiver.stop()
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
    kraty.wallet.credit("p2", "gold", amount=7, idempotency_key="r2")
    dispatcher, clock = server.dispatcher, server.clock

    assert dispatcher.run_once() == 2  # each player's first event fails; the rest wait
    assert dispatcher.run_once() == 0  # nothing due before the first retry delay
    clock.advance(SCHEDULE[0] * 0.85)
    assert dispatcher.run_once() == 0  # jitter is at most 10 %
    clock.advance(SCHEDULE[0] * 0.3)
    assert dispatcher.run_once() == 2  # second attempts, still refused
    rows = deliveries_of(server)
    assert [(r[1], r[2], r[3]) for r in rows if r[0] == "player.registered"] == [
        ("pending", 2, None),
        ("pending", 2, None),
    ]
    with server.engine.connect() as conn:
        errors = conn.execute(select(webhook_deliveries.c.last_error)).scalars().all()
    assert any(e and e.startswith("ConnectError") for e in errors)

    receiver.start()  # same port
    clock.advance(SCHEDULE[1] * 1.15)
    assert dispatcher.drain() == 4
    assert {e["eventName"] for e in receiver.events()} == {"player.registered", "wallet.changed"}
    assert len(receiver.received) == 4
    assert all(row[1] == "delivered" for row in deliveries_of(server))
    # Order is promised per player, not across players: each player's retried registration
    # (third attempt) arrives before its wallet change (first attempt).
    per_player: dict[str, list[tuple[str, str]]] = {}
    for r in receiver.received:
        attempt = (r.event["eventName"], r.headers["X-Kraty-Delivery-Attempt"])
        per_player.setdefault(r.event["data"]["externalPlayerId"], []).append(attempt)
    expected = [("player.registered", "3"), ("wallet.changed", "1")]
    assert per_player == {"p1": expected, "p2": expected}


def test_a_delivery_dies_after_the_schedule_and_stops_blocking_the_player(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    receiver.status = 500
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
    for delay in (0, *SCHEDULE):
        server.clock.advance(delay * 1.15)
        assert server.dispatcher.run_once() == 1  # only the head of p1's queue
    assert len(receiver.events("player.registered")) == len(SCHEDULE) + 1
    assert deliveries_of(server)[0] == ("player.registered", "dead", 4, 500)
    with server.engine.connect() as conn:
        outbox = {row.event_name: row for row in conn.execute(select(webhook_outbox)).all()}
    dead = outbox["player.registered"]
    assert (dead.status, dead.attempts, dead.last_status) == ("dead", 4, 500)
    assert dead.last_error.startswith("HTTP 500")

    receiver.status = 200
    assert server.dispatcher.drain() == 1  # the next event of p1 is no longer held back
    assert deliveries_of(server)[1] == ("wallet.changed", "delivered", 1, 200)


def test_the_background_dispatcher_delivers_without_being_asked(
    settings: Settings, receiver: Receiver
) -> None:
    with LocalServer(settings=replace(settings, webhook_poll_seconds=0.02)) as server:
        with KratyAdmin(api_key=server.api_key, base_url=server.base_url) as kraty:
            kraty.inventory.grant("p1", "sword", 1, idempotency_key="r1")
        receiver.wait_for(2)
    assert [e["eventName"] for e in receiver.events()] == [
        "player.registered",
        "inventory.changed",
    ]


def test_concurrent_dispatchers_never_send_a_claimed_delivery_twice(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver, settings: Settings
) -> None:
    for i in range(40):
        kraty.wallet.credit(f"p{i % 8}", "gold", amount=1, idempotency_key=f"r{i}")
    workers = [
        Dispatcher(server.engine, settings.world, settings.clock, batch_size=7, poll_seconds=None)
        for _ in range(3)
    ]

    def work(dispatcher: Dispatcher) -> None:
        while dispatcher.run_once():
            pass

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in workers:
        worker.stop()
    server.dispatcher.drain()  # anything a worker released when its group was taken
    counts = Counter(e["id"] for e in receiver.events())
    assert len(counts) == 48
    assert set(counts.values()) == {1}
    per_player: dict[str, list[int]] = {}
    for event in receiver.events("wallet.changed"):
        per_player.setdefault(event["data"]["externalPlayerId"], []).append(
            event["data"]["balance"]
        )
    assert all(balances == sorted(balances) for balances in per_player.values())
