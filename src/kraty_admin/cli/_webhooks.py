"""Webhook commands for Kraty Local, over its ``/_local/webhooks`` admin routes.

- ``kraty-admin local webhooks`` lists deliveries (event, endpoint, attempts, last answer, next
  try) and ``--redeliver EVENT_ID`` queues an event again.
- ``kraty-admin webhooks listen --forward-to URL`` registers ``URL`` as a temporary endpoint of
  the key's game, prints its fresh signing secret, then prints every delivery attempt to it
  (event, id, the receiver's answer) until interrupted, when the endpoint is removed. Kraty
  Local posts to ``URL`` itself, so ``URL`` must be reachable from the server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import click
from rich.console import Console
from rich.table import Table

from kraty_admin import KratyAdmin, KratyNetworkError, KratyServerError, RetryConfig
from kraty_admin.cli._connection import connection_options

#: Where ``kraty-admin local serve`` listens by default.
LOCAL_BASE_URL = "http://127.0.0.1:8787"
_ADMIN_PATH = "/_local/webhooks"
# One try: registering an endpoint twice would leave a stray one behind.
_ONE_TRY = RetryConfig(attempts=1)


class LocalAdmin:
    """Kraty Local's webhook admin routes through ``KratyAdmin.request``; errors become click's."""

    def __init__(self, base_url: str | None, api_key: str | None) -> None:
        """Point at ``base_url`` (default: the local server) with the server key."""
        if not api_key:
            raise click.UsageError("no API key: pass --api-key or set KRATY_SERVER_KEY")
        self.base_url = (base_url or LOCAL_BASE_URL).rstrip("/")
        try:
            self._kraty = KratyAdmin(api_key, base_url=self.base_url, timeout=10.0, retry=_ONE_TRY)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None

    def close(self) -> None:
        """Close the connection pool."""
        self._kraty.close()

    def deliveries(self, **filters: str | int | None) -> list[dict[str, Any]]:
        """``GET /deliveries`` with the non-None ``filters`` as query parameters."""
        params = {k: v for k, v in filters.items() if v is not None}
        rows: list[dict[str, Any]] = self._call("GET", "/deliveries", params=params)
        return rows

    def redeliver(self, event_id: str) -> dict[str, Any]:
        """Queue an event again for every endpoint of its game."""
        answer: dict[str, Any] = self._call("POST", f"/events/{quote(event_id, safe='')}/redeliver")
        return answer

    def add_endpoint(self, url: str, game_id: str | None) -> dict[str, Any]:
        """Register a temporary endpoint; the answer holds its ``id`` and ``secret``."""
        body = {"url": url} if game_id is None else {"url": url, "gameId": game_id}
        endpoint: dict[str, Any] = self._call("POST", "/endpoints", body=body)
        return endpoint

    def remove_endpoint(self, endpoint_id: str) -> None:
        """Remove a temporary endpoint."""
        self._call("DELETE", f"/endpoints/{quote(endpoint_id, safe='')}")

    def _call(
        self,
        method: Literal["GET", "POST", "DELETE"],
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        try:
            answer = self._kraty.request(method, _ADMIN_PATH + path, body=body, params=params)
        except KratyNetworkError as exc:
            raise click.ClickException(
                f"cannot reach Kraty Local at {self.base_url}: {exc.original_cause}"
            ) from None
        except KratyServerError as exc:
            raise click.ClickException(str(exc)) from None
        return answer["data"]


def _answer(row: dict[str, Any]) -> str:
    """The receiver's last answer: the HTTP status, or the start of the network error."""
    if row["lastStatus"] is not None:
        return str(row["lastStatus"])
    if row["lastError"]:
        return str(row["lastError"]).split(":", 1)[0]
    return "-"


def _short_time(iso: str | None) -> str:
    if iso is None:
        return "-"
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def deliveries_table(rows: list[dict[str, Any]]) -> Table:
    """The rich table ``local webhooks`` prints."""
    table = Table(title="Webhook deliveries (newest first)")
    for column in ("event", "event id", "endpoint", "status", "attempts", "last", "next try"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["eventName"],
            row["eventId"],
            row["endpointUrl"],
            row["status"],
            str(row["attempts"]),
            _answer(row),
            _short_time(row["nextAttemptAt"]),
        )
    return table


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
    """List Kraty Local's webhook deliveries, or redeliver one event.

    The base URL defaults to a local server's, http://127.0.0.1:8787.
    """
    admin = LocalAdmin(base_url, api_key)
    try:
        if redeliver_id is not None:
            queued = admin.redeliver(redeliver_id)["deliveriesQueued"]
            click.echo(f"Event {redeliver_id} queued again for {queued} endpoint(s).")
            return
        rows = admin.deliveries(eventId=event_id, status=status, limit=limit)
    finally:
        admin.close()
    Console().print(deliveries_table(rows))


def listen(
    admin: LocalAdmin,
    forward_to: str,
    game_id: str | None,
    *,
    echo: Callable[[str], None],
    stop: threading.Event,
    poll_seconds: float,
) -> None:
    """Register ``forward_to``, report each delivery attempt to it until ``stop``, unregister."""
    endpoint = admin.add_endpoint(forward_to, game_id)
    try:
        echo(f"Ready: Kraty Local ({admin.base_url}) now posts {endpoint['gameId']}'s events to")
        echo(f"  {forward_to}")
        echo(f"Webhook signing secret: {endpoint['secret']}")
        seen = {(r["id"], r["attempts"]) for r in admin.deliveries(endpointUrl=forward_to)}
        while not stop.wait(poll_seconds):
            rows = admin.deliveries(endpointUrl=forward_to, limit=200)
            for row in reversed(rows):
                attempt = (row["id"], row["attempts"])
                if row["lastAttemptAt"] is None or attempt in seen:
                    continue
                seen.add(attempt)
                echo(
                    f"{_short_time(row['lastAttemptAt'])}  {row['eventName']:<18} "
                    f"{row['eventId']}  -> [{_answer(row)}] {row['status']}"
                )
    finally:
        admin.remove_endpoint(endpoint["id"])
        echo("Temporary endpoint removed.")


@click.group("webhooks")
def webhooks() -> None:
    """Webhook tools for development against Kraty Local."""


@webhooks.command("listen")
@connection_options
@click.option(
    "--forward-to",
    required=True,
    help="Your receiver's URL, e.g. http://127.0.0.1:9000/kraty/webhook.",
)
@click.option("--game", "game_id", help="Game whose events to receive (default: the key's).")
@click.option("--poll", default=0.5, show_default=True, help="Seconds between status checks.")
def listen_command(
    api_key: str | None, base_url: str | None, forward_to: str, game_id: str | None, poll: float
) -> None:
    """Send a running Kraty Local's events to a local receiver until Ctrl-C (like stripe listen).

    The base URL defaults to a local server's, http://127.0.0.1:8787.
    """
    admin = LocalAdmin(base_url, api_key)
    try:
        listen(
            admin,
            forward_to,
            game_id,
            echo=click.echo,
            stop=threading.Event(),
            poll_seconds=poll,
        )
    except KeyboardInterrupt:
        pass
    finally:
        admin.close()
