"""``kraty-admin webhooks listen`` in a subprocess, against a real Kraty Local and receiver.

The server runs its background dispatcher on the system clock, so deliveries, retries (the test
world's 1 s first retry) and endpoint expiry all happen by themselves, as in development.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from kraty_admin import KratyAdmin, verify_webhook
from kraty_admin.cli._app import cli
from kraty_admin.cli._listen import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    attempt_lines,
    local_time,
)
from kraty_local.server import LocalServer
from kraty_local.settings import Settings
from kraty_local.shared_server import Served
from kraty_local.store.schema import webhook_endpoints
from tests._http import http_lib

from .conftest import hooked_world
from .listener import SECRET, Listener
from .receiver import Receiver

# Ten heartbeats per expiry: a loaded CI machine can hold a heartbeat's write back for a second
# or more (a 1 s expiry let the endpoint lapse under a listener there).
HEARTBEAT, EXPIRY = 0.25, 2.5


def listen_settings(database: str) -> Settings:
    """game_1 has no endpoint of its own; the dispatcher runs; listeners expire after 1 s."""
    return Settings(
        database=database,
        world=hooked_world(),
        webhook_poll_seconds=0.05,
        webhook_listen_heartbeat_seconds=HEARTBEAT,
        webhook_listen_expiry_seconds=EXPIRY,
        rng_seed=7,
    )


@pytest.fixture
def settings(database_target: str) -> Settings:
    """See :func:`listen_settings`."""
    return listen_settings(database_target)


@pytest.fixture
def listener(server: Served, receiver: Receiver) -> Iterator[Listener]:
    """``webhooks listen --forward-to`` the receiver, its stream open."""
    running = Listener(server.base_url, server.api_key, receiver.url)
    running.ready()
    yield running
    if running.process.poll() is None:
        running.kill()


def endpoint_ids(server: LocalServer | Served) -> list[str]:
    """The temporary endpoints in the database."""
    with server.engine.connect() as conn:
        return list(conn.execute(select(webhook_endpoints.c.id)).scalars())


def wait_until_no_endpoint(server: Served, timeout: float) -> float:
    """Seconds until the last temporary endpoint is gone (fails after ``timeout``)."""
    started = time.monotonic()
    while endpoint_ids(server):
        assert time.monotonic() - started < timeout, "the endpoint did not expire"
        time.sleep(0.05)
    return time.monotonic() - started


def attempt_line(event_id: str, attempt: int) -> re.Pattern[str]:
    """An attempt's line: its time, the event, then the attempt number."""
    return re.compile(
        rf"(\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d)  \S+ +{event_id}  attempt {attempt}  -> (.*)"
    )


def printed_time(
    listener: Listener, pattern: re.Pattern[str], nth: int = 1
) -> tuple[datetime, str]:
    """The local time the ``nth`` line of an attempt shows, and the rest of that line."""
    match = pattern.fullmatch(listener.wait_for(pattern.fullmatch, nth=nth))
    assert match is not None
    return datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S").astimezone(), match[2]


def test_each_attempt_is_printed_as_it_happens_redeliveries_included(
    server: Served, kraty: KratyAdmin, receiver: Receiver, listener: Listener
) -> None:
    listener.ready()
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
    received = receiver.wait_for(2)
    for request in received:
        assert verify_webhook(
            raw_body=request.body,
            signature_header=request.headers["X-Signature"],
            secret=SECRET,
        )
    event_id = received[-1].event["id"]
    at, rest = printed_time(listener, attempt_line(event_id, 1))
    assert rest == "[200] delivered"
    assert abs((datetime.now(timezone.utc) - at).total_seconds()) < 5  # when it happened

    with http_lib.Client(headers={"Authorization": f"Bearer {server.api_key}"}) as admin:
        redeliver = f"{server.base_url}/_local/webhooks/events/{event_id}/redeliver"
        assert admin.post(redeliver).status_code == 200
    receiver.wait_for(3)
    again, rest = printed_time(listener, attempt_line(event_id, 1), nth=2)  # a fresh cycle
    assert rest == "[200] delivered"
    assert again >= at

    assert listener.stop(signal.SIGINT) == EXIT_INTERRUPTED
    assert listener.lines[-1] == "Temporary endpoint removed."
    assert endpoint_ids(server) == []
    assert SECRET not in "\n".join(listener.lines)  # signed with it, never shown


def test_without_a_signing_secret_nothing_is_registered(
    server: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KRATY_WEBHOOK_SECRET", raising=False)
    options = ["--base-url", server.base_url, "--api-key", server.api_key]
    result = CliRunner().invoke(cli, ["webhooks", "listen", *options, "--forward-to", "http://x/"])
    assert result.exit_code == 2
    assert "export KRATY_WEBHOOK_SECRET" in result.output
    assert endpoint_ids(server) == []


def test_a_failed_attempt_shows_the_answer_and_the_next_retry(
    server: Served, kraty: KratyAdmin, receiver: Receiver, listener: Listener
) -> None:
    receiver.status = 500
    kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")  # player.registered first
    event_id = receiver.wait_for(1)[0].event["id"]
    _, rest = printed_time(listener, attempt_line(event_id, 1))
    retry_at = re.fullmatch(r"\[500\] failed, retry at (\d\d:\d\d:\d\d)", rest)
    assert retry_at is not None, rest
    assert listener.wait_for(lambda line: line.startswith("    ")) == "    HTTP 500 "
    with http_lib.Client(headers={"Authorization": f"Bearer {server.api_key}"}) as admin:
        url = f"{server.base_url}/_local/webhooks/deliveries"
        (row,) = admin.get(url, params={"eventId": event_id}).json()["data"]
    assert retry_at[1] == local_time(row["nextAttemptAt"], "%H:%M:%S")

    receiver.status = 200  # the retry, about 1 s later (the test world's schedule), succeeds
    _, rest = printed_time(listener, attempt_line(event_id, 2))
    assert rest == "[200] delivered"


def test_sigterm_removes_the_endpoint(server: Served, listener: Listener) -> None:
    assert len(endpoint_ids(server)) == 1
    assert listener.stop(signal.SIGTERM) == EXIT_TERMINATED
    assert listener.lines[-1] == "Temporary endpoint removed."
    assert endpoint_ids(server) == []


def test_an_endpoint_lives_while_listened_to_and_expires_without_its_listener(
    server: Served, listener: Listener
) -> None:
    time.sleep(EXPIRY * 1.5)  # the heartbeats keep it
    assert len(endpoint_ids(server)) == 1
    listener.kill()  # no clean-up
    # Gone after the expiry, counted from the last heartbeat (plus the dispatcher's 1 s sweep).
    assert wait_until_no_endpoint(server, timeout=EXPIRY + HEARTBEAT + 1.0 + 2.0) > 0


def test_the_stream_ends_when_the_server_stops(
    tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
) -> None:
    database = str(tmp_path_factory.mktemp("listen") / "kraty.sqlite")
    with LocalServer(settings=listen_settings(database)) as server:
        listener = Listener(server.base_url, server.api_key, receiver.url)
        listener.ready()
        started = time.monotonic()
        server.stop()  # uvicorn would wait for the endless response without the protocol's help
        assert time.monotonic() - started < 5
    assert listener.finish() == 1
    assert any("lost the stream" in line for line in listener.lines)
    assert listener.lines[-2].startswith("Could not remove the temporary endpoint (cannot reach")


def test_a_stream_hears_the_attempts_another_process_makes(
    database_target: str, receiver: Receiver
) -> None:
    """Two servers on one PostgreSQL database, as ``local serve --workers 2`` runs: the one
    holding the stream makes no attempt (its dispatcher is off), the other makes them all."""
    if not database_target.startswith("postgresql"):
        pytest.skip("one process serves a SQLite database")
    holding = replace(listen_settings(database_target), webhook_poll_seconds=None)
    with (
        LocalServer(settings=holding) as streaming,
        LocalServer(settings=listen_settings(database_target)) as dispatching,
    ):
        listener = Listener(streaming.base_url, streaming.api_key, receiver.url)
        listener.ready()
        with KratyAdmin(dispatching.api_key, base_url=dispatching.base_url) as kraty:
            kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
        for request in receiver.wait_for(2):
            _, rest = printed_time(listener, attempt_line(request.event["id"], 1))
            assert rest == "[200] delivered"
        assert listener.stop() == EXIT_INTERRUPTED


def test_the_heartbeat_must_be_shorter_than_the_expiry() -> None:
    with pytest.raises(ValueError, match="heartbeat"):
        Settings(webhook_listen_heartbeat_seconds=60.0, webhook_listen_expiry_seconds=60.0)


@pytest.mark.parametrize(
    ("status", "http_status", "error", "shown"),
    [
        ("dead", 500, "HTTP 500 nope", "[500] failed, no retries left"),
        ("pending", None, "ConnectError: refused", "[ConnectError] failed, retry at "),
    ],
)
def test_what_listen_prints_for_a_failure(
    status: str, http_status: int | None, error: str, shown: str
) -> None:
    attempt = {
        "at": "2030-01-01T00:00:00.000Z",
        "eventName": "wallet.changed",
        "eventId": "e1",
        "attempt": 4,
        "status": status,
        "httpStatus": http_status,
        "error": error,
        "nextAttemptAt": "2030-01-01T00:00:30.000Z" if status == "pending" else None,
    }
    head, detail = attempt_lines(attempt)
    assert f"attempt 4  -> {shown}" in head
    assert detail == f"    {error}"
