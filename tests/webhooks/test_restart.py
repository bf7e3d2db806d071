"""Delivery state is in the database: a server stopped mid-backlog finishes after a restart."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from kraty_admin import KratyAdmin
from kraty_local.db import transaction
from kraty_local.server import LocalServer
from kraty_local.settings import Settings
from kraty_local.store.schema import webhook_deliveries, webhook_outbox
from kraty_local.webhooks import deliveries

from .receiver import Receiver

PLAYERS, CREDITS = 10, 5


def test_stopped_mid_backlog_then_restarted_delivers_everything(
    settings: Settings, receiver: Receiver
) -> None:
    with LocalServer(settings=settings) as server:  # dispatcher off: build a backlog
        with KratyAdmin(api_key=server.api_key, base_url=server.base_url) as kraty:
            for i in range(PLAYERS * CREDITS):
                kraty.wallet.credit(f"p{i % PLAYERS}", "gold", amount=1, idempotency_key=f"r{i}")
        with server.engine.connect() as conn:
            event_ids = set(conn.execute(select(webhook_outbox.c.id)).scalars())
        # A worker that dies without a word: the rows it claimed keep their lease.
        now = server.clock.now()
        with transaction(server.engine) as conn:
            crashed = deliveries.claim(conn, now=now, lease_until=now.replace(year=2100), limit=3)
    assert len(event_ids) == PLAYERS * (CREDITS + 1)
    assert len(crashed) == 3

    receiver.delay = 0.02
    with LocalServer(settings=replace(settings, webhook_poll_seconds=0.01)) as server:
        receiver.wait_for(10)
    # Stopped without draining: attempts in flight finished, unsent claims were given back.
    sent_before_restart = len(receiver.received)
    assert sent_before_restart < len(event_ids)

    receiver.delay = 0.0
    with LocalServer(settings=settings) as server:
        server.dispatcher.drain()
        assert not receiver.ids() >= event_ids  # the crashed worker's leases are still live
        with transaction(server.engine) as conn:
            conn.execute(
                webhook_deliveries.update()
                .where(webhook_deliveries.c.id.in_([c.id for c in crashed]))
                .values(next_attempt_at=server.clock.now())
            )  # as if their lease had run out
        server.dispatcher.drain()
        with server.engine.connect() as conn:
            statuses = conn.execute(
                select(webhook_deliveries.c.status, func.count()).group_by(
                    webhook_deliveries.c.status
                )
            ).all()
    assert receiver.ids() == event_ids
    assert dict(statuses) == {"delivered": len(event_ids)}
    assert sent_before_restart + len(event_ids) >= len(receiver.received)


def test_a_lease_runs_out_on_the_servers_clock(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    kraty.wallet.credit("p1", "gold", amount=1, idempotency_key="r1")
    now = server.clock.now()
    with transaction(server.engine) as conn:  # claimed by a worker that then died
        claimed = deliveries.claim(conn, now=now, lease_until=now + timedelta(seconds=60), limit=1)
    assert [c.event_name for c in claimed] == ["player.registered"]
    assert server.dispatcher.run_once() == 0  # leased, and p1's later event waits behind it
    server.clock.advance(61)
    assert server.dispatcher.drain() == 2
    assert [r.headers["X-Kraty-Delivery-Attempt"] for r in receiver.received] == ["2", "1"]
