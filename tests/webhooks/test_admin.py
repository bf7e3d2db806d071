"""The ``/_local/webhooks`` admin routes and the CLI commands built on them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from kraty_admin import KratyAdmin, verify_webhook
from kraty_admin.cli._app import cli
from kraty_admin.cli._webhooks import LocalAdmin, listen
from kraty_local.server import LocalServer
from kraty_local.store.schema import webhook_endpoints
from tests._http import http_lib

from .receiver import Receiver


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def admin(server: LocalServer) -> Iterator[http_lib.Client]:
    """An HTTP client of the admin routes with the server key."""
    with http_lib.Client(
        base_url=server.base_url + "/_local/webhooks",
        headers={"Authorization": f"Bearer {server.api_key}"},
    ) as client:
        yield client


def test_the_admin_routes_need_a_server_key(server: LocalServer) -> None:
    url = server.base_url + "/_local/webhooks/deliveries"
    assert http_lib.get(url).status_code == 401
    wrong = http_lib.get(url, headers={"Authorization": "Bearer kl_x.nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "session_invalid"


def test_list_and_redeliver(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver, admin: http_lib.Client
) -> None:
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
    server.dispatcher.drain()
    rows = admin.get("/deliveries").json()["data"]
    assert [(r["eventName"], r["status"], r["attempts"], r["lastStatus"]) for r in rows] == [
        ("wallet.changed", "delivered", 1, 200),
        ("player.registered", "delivered", 1, 200),
    ]
    event_id = rows[0]["eventId"]
    assert admin.get("/deliveries", params={"eventId": event_id}).json()["data"] == [rows[0]]
    assert admin.get("/deliveries", params={"status": "dead"}).json()["data"] == []

    answer = admin.post(f"/events/{event_id}/redeliver")
    assert answer.json()["data"] == {"eventId": event_id, "deliveriesQueued": 1}
    (row,) = admin.get("/deliveries", params={"eventId": event_id}).json()["data"]
    assert (row["status"], row["attempts"]) == ("pending", 0)  # a fresh retry cycle
    server.dispatcher.drain()
    assert [e["id"] for e in receiver.events()].count(event_id) == 2  # same id: receivers dedupe
    assert admin.post("/events/nope/redeliver").status_code == 404


def test_another_games_key_sees_nothing(
    server: LocalServer, kraty: KratyAdmin, admin: http_lib.Client
) -> None:
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
    event_id = admin.get("/deliveries").json()["data"][0]["eventId"]
    add = admin.post("/endpoints", json={"url": "http://127.0.0.1:1/x", "gameId": "game_3"})
    assert add.status_code == 403
    assert admin.post("/endpoints", json={"url": "ftp://x/y"}).status_code == 400
    assert admin.delete("/endpoints/nope").status_code == 404
    assert admin.post(f"/events/{event_id}/redeliver").status_code == 200


def test_cli_lists_and_redelivers(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    receiver.status = 500
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
    server.dispatcher.drain()
    runner = CliRunner()
    options = ["--base-url", server.base_url, "--api-key", server.api_key]
    shown = runner.invoke(cli, ["local", "webhooks", *options], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    assert "player.registered" in shown.output
    assert "500" in shown.output
    assert "wallet.changed" in shown.output
    event_id = receiver.events()[0]["id"]
    again = runner.invoke(cli, ["local", "webhooks", *options, "--redeliver", event_id])
    assert again.exit_code == 0, again.output
    assert f"Event {event_id} queued again for 1 endpoint(s)." in again.output
    missing = runner.invoke(cli, ["local", "webhooks", *options, "--redeliver", "nope"])
    assert missing.exit_code == 1
    assert "Unknown event" in missing.output
    down = runner.invoke(
        cli, ["local", "webhooks", "--base-url", "http://127.0.0.1:9", "--api-key", "k.x"]
    )
    assert down.exit_code == 1
    assert "cannot reach Kraty Local" in down.output


def test_listen_registers_a_temporary_endpoint_and_reports_each_delivery(
    server: LocalServer, kraty: KratyAdmin
) -> None:
    forward = Receiver().start()
    lines: list[str] = []
    stop = threading.Event()
    admin = LocalAdmin(server.base_url, server.api_key)
    thread = threading.Thread(
        target=listen,
        args=(admin, forward.url, None),
        kwargs={"echo": lines.append, "stop": stop, "poll_seconds": 0.02},
    )
    thread.start()
    try:
        wait_until(lambda: any(line.startswith("Webhook signing secret") for line in lines))
        secret = next(line for line in lines if line.startswith("Webhook")).split(": ")[1]
        kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
        server.dispatcher.drain()
        forward.wait_for(2)
        for request in forward.received:
            assert verify_webhook(
                raw_body=request.body,
                signature_header=request.headers["X-Signature"],
                secret=secret,
                now=server.clock.now(),
            )
        wait_until(lambda: sum("-> [200] delivered" in line for line in lines) == 2)
    finally:
        stop.set()
        thread.join()
        admin.close()
        forward.stop()
    assert lines[-1] == "Temporary endpoint removed."
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(webhook_endpoints)).scalar() == 0
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r2")
    server.dispatcher.drain()
    assert len(forward.received) == 2  # nothing is sent to a removed endpoint
