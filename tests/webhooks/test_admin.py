"""The ``/_local/webhooks`` admin routes and the CLI commands built on them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from kraty_admin import KratyAdmin
from kraty_admin.cli._app import cli
from kraty_local.server import LocalServer
from tests._http import http_lib

from .receiver import Receiver


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


def test_temporary_endpoints_are_listed_without_secrets_and_streamed(
    server: LocalServer, admin: http_lib.Client
) -> None:
    added = admin.post("/endpoints", json={"url": "http://127.0.0.1:1/x"}).json()["data"]
    (listed,) = admin.get("/endpoints").json()["data"]
    assert listed["id"] == added["id"]
    assert "secret" not in listed
    assert listed["expiresAt"] > listed["createdAt"]

    stream = f"/endpoints/{added['id']}/attempts/stream"
    assert admin.get("/endpoints/nope/attempts/stream").status_code == 404
    assert http_lib.get(server.base_url + "/_local/webhooks" + stream).status_code == 401
    with admin.stream("GET", stream) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        assert next(lines) == "event: ready"
        assert next(lines).startswith('data: {"id":"' + added["id"])


def test_cli_lists_temporary_endpoints(server: LocalServer, admin: http_lib.Client) -> None:
    added = admin.post("/endpoints", json={"url": "http://127.0.0.1:1/x"}).json()["data"]
    options = ["--base-url", server.base_url, "--api-key", server.api_key]
    shown = CliRunner().invoke(cli, ["local", "webhooks", *options], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    assert "Temporary endpoints" in shown.output
    assert added["id"] in shown.output
    assert added["secret"] not in shown.output
    narrow = CliRunner().invoke(cli, ["local", "webhooks", *options], env={"COLUMNS": "80"})
    assert max(len(line) for line in narrow.output.splitlines()) <= 80
    assert added["id"][:8] in narrow.output
    assert added["id"] not in narrow.output  # cut visibly, with "…"
    assert "…" in narrow.output
