"""Webhook commands for Kraty Local, over its ``/_local/webhooks`` admin routes.

- ``kraty-admin local webhooks`` lists the temporary endpoints (those of ``webhooks listen``)
  and the deliveries (event, endpoint, attempts, last answer, next try); ``--redeliver
  EVENT_ID`` queues an event again.
- ``kraty-admin webhooks listen`` (:mod:`._listen`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import click
from rich.console import Group
from rich.table import Table

from kraty_admin.cli._connection import connection_options
from kraty_admin.cli._listen import listen_command, local_time
from kraty_admin.cli._local_admin import LocalAdmin
from kraty_admin.cli._output import emit


def _answer(row: dict[str, Any]) -> str:
    """The receiver's last answer: the HTTP status, or the start of the network error."""
    if row["lastStatus"] is not None:
        return str(row["lastStatus"])
    if row["lastError"]:
        return str(row["lastError"]).split(":", 1)[0]
    return "-"


def _short_time(iso: str | None) -> str:
    """Local time: the time of day alone when it is today."""
    if iso is None:
        return "-"
    today = datetime.now().astimezone().strftime("%Y-%m-%d")
    moment = local_time(iso)
    return moment[11:] if moment.startswith(today) else moment[:16]


#: A column: its title, whether it shares the width left (ids, URLs), its cell from a row.
Column = tuple[str, bool, Callable[[dict[str, Any]], str]]


def _table(title: str, columns: Sequence[Column], rows: list[dict[str, Any]]) -> Table:
    """A table of one line per row: the short columns at their width, the shared ones cut
    with "…" when the terminal is too narrow for them."""
    table = Table(title=title)
    for name, shared, _ in columns:
        # A shared column may "wrap": rich narrows those first, and an id or URL (no spaces)
        # then ends in "…" on its one line.
        table.add_column(
            name, no_wrap=not shared, overflow="ellipsis", min_width=8 if shared else None
        )
    for row in rows:
        table.add_row(*(cell(row) for _, _, cell in columns))
    return table


def _field(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: str(row[name])


def _time_field(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: _short_time(row[name])


def endpoints_table(rows: list[dict[str, Any]]) -> Table:
    """The temporary endpoints ``local webhooks`` prints."""
    columns: list[Column] = [
        ("id", True, _field("id")),
        ("game", False, _field("gameId")),
        ("url", True, _field("url")),
        ("created", False, _time_field("createdAt")),
        ("expires", False, _time_field("expiresAt")),
    ]
    return _table("Temporary endpoints (webhooks listen)", columns, rows)


def deliveries_table(rows: list[dict[str, Any]]) -> Table:
    """The deliveries ``local webhooks`` prints."""
    columns: list[Column] = [
        ("event", False, _field("eventName")),
        ("event id", True, _field("eventId")),
        ("endpoint", True, _field("endpointUrl")),
        ("status", False, _field("status")),
        ("tries", False, _field("attempts")),
        ("last", False, _answer),
        ("next try", False, _time_field("nextAttemptAt")),
    ]
    return _table("Webhook deliveries (newest first)", columns, rows)


@click.command("webhooks")
@connection_options
@click.option("--event", "event_id", help="Only the deliveries of this event id.")
@click.option("--status", type=click.Choice(["pending", "delivered", "dead"]))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--redeliver", "redeliver_id", metavar="EVENT_ID", help="Queue this event again.")
def local_webhooks(
    api_key: str | None,
    base_url: str | None,
    event_id: str | None,
    status: str | None,
    limit: int,
    redeliver_id: str | None,
) -> None:
    """List Kraty Local's temporary endpoints and webhook deliveries, or redeliver one event.

    The base URL defaults to a local server's, http://127.0.0.1:8787.
    """
    admin = LocalAdmin(base_url, api_key)
    try:
        if redeliver_id is not None:
            queued = admin.redeliver(redeliver_id)["deliveriesQueued"]
            emit(
                {"event_id": redeliver_id, "deliveries_queued": queued},
                f"Event {redeliver_id} queued again for {queued} endpoint(s).",
            )
            return
        endpoints = admin.endpoints()
        rows = admin.deliveries(eventId=event_id, status=status, limit=limit)
    finally:
        admin.close()
    tables = [endpoints_table(endpoints)] if endpoints else []
    emit({"endpoints": endpoints, "deliveries": rows}, Group(*tables, deliveries_table(rows)))


@click.group("webhooks")
def webhooks() -> None:
    """Webhook tools for development against Kraty Local."""


webhooks.add_command(listen_command)
