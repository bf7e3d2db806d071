"""Every event the services emit reaches the receiver once, signed, in the contract's shape."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from kraty_admin import KratyAdmin, KratyServerError, verify_webhook
from kraty_local.server import LocalServer
from kraty_local.store.schema import webhook_deliveries, webhook_outbox

from .conftest import SECRET
from .receiver import Receiver

EVENT_KEYS = {"id", "eventName", "createdAt", "studioId", "gameId", "data"}


def deliver(server: LocalServer, receiver: Receiver) -> list[dict[str, object]]:
    """Run the dispatcher until nothing is due; return every event received."""
    server.dispatcher.drain()
    return receiver.events()


def test_phase_one_events_arrive_signed_with_contract_payloads(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    kraty.wallet.credit("p1", "gold", amount=500, idempotency_key="r1")
    kraty.wallet.debit("p1", "gold", amount=200, idempotency_key="r2")
    kraty.inventory.grant("p1", "sword", 3, idempotency_key="r3")
    kraty.inventory.revoke("p1", "sword", 1, idempotency_key="r4")
    grant = kraty.grants.create(
        "p1", "r5", [{"type": "currency", "currencyKey": "gems", "amount": 5}]
    )
    kraty.grants.ack("p1", grant["id"])

    received = server.dispatcher.drain()
    names = [e["eventName"] for e in receiver.events()]
    assert received == len(names) == 8
    assert names == [
        "player.registered",
        "wallet.changed",
        "wallet.changed",
        "inventory.changed",
        "inventory.changed",
        "grant.created",
        "wallet.changed",
        "grant.claimed",
    ]
    for request in receiver.received:
        event = request.event
        assert set(event) == EVENT_KEYS
        assert (event["studioId"], event["gameId"]) == ("studio_1", "game_1")
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["X-Kraty-Event-Id"] == event["id"]
        assert request.headers["X-Kraty-Event-Name"] == event["eventName"]
        assert request.headers["X-Kraty-Delivery-Attempt"] == "1"
        assert verify_webhook(
            raw_body=request.body,
            signature_header=request.headers["X-Signature"],
            secret=SECRET,
            now=server.clock.now(),
        )
        assert not verify_webhook(
            raw_body=request.body,
            signature_header=request.headers["X-Signature"],
            secret="whsec_other",
            now=server.clock.now(),
        )
    wallet = [e["data"] for e in receiver.events("wallet.changed")]
    assert [(d["economyKey"], d["balance"], d["delta"]) for d in wallet] == [
        ("gold", 500, 500),
        ("gold", 300, -200),
        ("gems", 5, 5),
    ]
    assert wallet[2]["grantId"] == grant["id"]
    items = [e["data"] for e in receiver.events("inventory.changed")]
    assert [(d["itemKey"], d["quantity"], d["delta"]) for d in items] == [
        ("sword", 3, 3),
        ("sword", 2, -1),
    ]
    assert all(d["externalPlayerId"] == "p1" for d in wallet + items)
    (registered,) = receiver.events("player.registered")
    assert registered["data"]["externalPlayerId"] == "p1"
    (created,) = receiver.events("grant.created")
    assert created["data"]["grant"]["id"] == grant["id"]
    (claimed,) = receiver.events("grant.claimed")
    assert claimed["data"]["grant"]["status"] == "claimed"


def test_outbox_rows_are_settled_with_a_summary(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    kraty.wallet.credit("p1", "gold", amount=1, idempotency_key="r1")
    deliver(server, receiver)
    with server.engine.connect() as conn:
        rows = conn.execute(select(webhook_outbox)).all()
    assert {r.status for r in rows} == {"delivered"}
    assert all(r.delivered_to == [receiver.url] and r.attempts == 1 for r in rows)
    assert all(r.last_status == 200 for r in rows)


def test_a_replay_or_a_refused_write_sends_nothing(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="same")
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="same")  # replayed
    with pytest.raises(KratyServerError) as refused:
        kraty.wallet.debit("p1", "gold", amount=50, idempotency_key="too-much")
    assert refused.value.is_conflict
    with pytest.raises(KratyServerError):  # the stored refusal, replayed
        kraty.wallet.debit("p1", "gold", amount=50, idempotency_key="too-much")
    grant = kraty.grants.create("p1", "g1", [{"type": "item", "itemKey": "sword", "quantity": 1}])
    kraty.grants.create("p1", "g1", [{"type": "item", "itemKey": "sword", "quantity": 1}])
    kraty.grants.ack("p1", grant["id"])
    kraty.grants.ack("p1", grant["id"])  # acking a claimed grant is a no-op

    names = [e["eventName"] for e in deliver(server, receiver)]
    assert names == [
        "player.registered",
        "wallet.changed",
        "grant.created",
        "inventory.changed",
        "grant.claimed",
    ]


def test_the_event_id_and_body_are_stable_across_attempts(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    receiver.status = 503
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
    server.dispatcher.drain()
    receiver.status = 200
    server.clock.advance(2)
    server.dispatcher.drain()
    attempts = [
        (r.event["eventName"], r.headers["X-Kraty-Delivery-Attempt"]) for r in receiver.received
    ]
    # The player's later event waited for the earlier one instead of overtaking it.
    assert attempts == [
        ("player.registered", "1"),
        ("player.registered", "2"),
        ("wallet.changed", "1"),
    ]
    assert receiver.received[0].body == receiver.received[1].body


def test_no_endpoint_means_no_delivery_rows(database_target: str) -> None:
    with LocalServer(db=database_target) as server:
        with KratyAdmin(api_key=server.api_key, base_url=server.base_url) as kraty:
            kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
        with server.engine.connect() as conn:
            assert conn.execute(select(webhook_deliveries)).all() == []
            statuses = conn.execute(select(webhook_outbox.c.status)).scalars().all()
        assert set(statuses) == {"delivered"}


def test_signature_timestamp_is_the_servers_clock(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    server.clock.advance(timedelta(minutes=10))
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
    request = receiver.received[0] if deliver(server, receiver) else None
    assert request is not None
    stamp = int(request.headers["X-Signature"].split(",")[0].removeprefix("t="))
    assert stamp == int(server.clock.now().timestamp())
    assert not verify_webhook(  # ten minutes ahead of the wall clock: outside the window
        raw_body=request.body,
        signature_header=request.headers["X-Signature"],
        secret=SECRET,
        now=datetime.now(timezone.utc),
    )
