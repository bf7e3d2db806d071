"""The example receivers, each started for real on loopback, against real deliveries."""

from __future__ import annotations

import importlib
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select
from werkzeug.serving import make_server

from kraty_admin import KratyAdmin, sign_webhook
from kraty_local.server import LocalServer
from kraty_local.store.schema import webhook_deliveries, webhook_outbox
from kraty_local.world import WebhookEndpoint, World
from tests._http import http_lib

from .conftest import SECRET, hooked_world

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Running = tuple[str, Callable[[], set[str]]]  # (webhook URL, ids the receiver processed)


def example(name: str) -> Any:
    """Import ``examples/<name>.py``."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    return importlib.import_module(name)


@contextmanager
def serve_wsgi(app: Any) -> Iterator[int]:
    """Serve a WSGI app with werkzeug on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def serve_asgi(app: Any) -> Iterator[int]:
    """Serve an ASGI app with uvicorn on a free loopback port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join()


@contextmanager
def fastapi_receiver(_tmp: Path) -> Iterator[Running]:
    app = example("webhooks_fastapi").create_app(SECRET)
    with serve_asgi(app) as port:
        yield f"http://127.0.0.1:{port}/kraty/webhook", lambda: set(app.state.seen)


@contextmanager
def flask_receiver(tmp: Path) -> Iterator[Running]:
    import sqlite3

    database = str(tmp / "processed.sqlite")
    app = example("webhooks_flask").create_app(SECRET, database)

    def processed() -> set[str]:
        with sqlite3.connect(database) as db:
            return {row[0] for row in db.execute("SELECT id FROM processed_events")}

    with serve_wsgi(app) as port:
        yield f"http://127.0.0.1:{port}/kraty/webhook", processed


@contextmanager
def django_receiver(_tmp: Path) -> Iterator[Running]:
    module = example("webhooks_django")
    module.processed.clear()
    with serve_wsgi(module.create_app(SECRET)) as port:
        yield f"http://127.0.0.1:{port}/kraty/webhook", lambda: set(module.processed)


@pytest.fixture(
    params=[fastapi_receiver, flask_receiver, django_receiver], ids=lambda f: f.__name__
)
def running_example(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Running]:
    """One example receiver, serving on loopback."""
    with request.param(tmp_path) as running:
        yield running


@pytest.fixture
def world(running_example: Running) -> World:
    """game_1 posts to the example receiver."""
    return hooked_world(WebhookEndpoint(running_example[0], (SECRET,)))


def test_example_receives_verifies_and_deduplicates(
    server: LocalServer, kraty: KratyAdmin, running_example: Running
) -> None:
    processed = running_example[1]
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
    kraty.inventory.grant("p1", "sword", 1, idempotency_key="r2")
    server.dispatcher.drain()
    with server.engine.connect() as conn:
        event_ids = set(conn.execute(select(webhook_outbox.c.id)).scalars())
        answers = set(conn.execute(select(webhook_deliveries.c.last_status)).scalars())
    assert len(event_ids) == 3
    assert processed() == event_ids
    assert answers == {200}

    # A redelivery is acknowledged (2xx) but not processed twice.
    event_id = sorted(event_ids)[0]
    with http_lib.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {server.api_key}"}
    ) as admin:
        assert admin.post(f"/_local/webhooks/events/{event_id}/redeliver").status_code == 200
    server.dispatcher.drain()
    with server.engine.connect() as conn:
        redelivered = conn.execute(
            select(webhook_deliveries.c.status, webhook_deliveries.c.last_status).where(
                webhook_deliveries.c.event_id == event_id
            )
        ).one()
    assert tuple(redelivered) == ("delivered", 200)
    assert processed() == event_ids


def test_example_rejects_tampered_stale_and_unsigned_deliveries(
    running_example: Running,
) -> None:
    url, processed = running_example
    body = b'{"id":"evt_manual","eventName":"wallet.changed","data":{}}'
    good = sign_webhook(body, SECRET)

    def post(content: bytes, signature: str | None) -> int:
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Signature"] = signature
        return http_lib.post(url, content=content, headers=headers).status_code

    assert post(body.replace(b"{}", b'{"x":1}'), good) == 401  # tampered body
    assert post(body, sign_webhook(body, SECRET, timestamp=int(time.time()) - 301)) == 401
    assert post(body, sign_webhook(body, "whsec_wrong")) == 401
    assert post(body, None) == 401
    assert "evt_manual" not in processed()
    assert post(body, good) == 200
    assert post(body, good) == 200  # the duplicate is acknowledged too
    assert "evt_manual" in processed()
