"""``kraty-admin webhooks listen``: a running Kraty Local's events, forwarded to a local receiver.

The command registers the receiver's URL as a temporary endpoint of the key's game, signing with
the secret in ``KRATY_WEBHOOK_SECRET`` (the variable the receiver verifies with; the secret is
never printed), then prints every delivery attempt to it as Kraty Local streams it (Server-Sent
Events, no polling): its time, the event, the receiver's answer, and the next retry when it
failed. On Ctrl-C (exit 130) or SIGTERM (exit 143) it removes the endpoint; if the command dies
without doing so, Kraty Local removes the endpoint once no stream has kept it alive for a while.
"""

from __future__ import annotations

import functools
import os
import signal
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from datetime import datetime
from types import FrameType
from typing import Any

import click

from kraty_admin.cli._connection import connection_options
from kraty_admin.cli._local_admin import LocalAdmin
from kraty_admin.cli._output import json_line, json_mode

#: Where ``listen`` reads the signing secret, the variable the README's receivers read too.
SECRET_ENV = "KRATY_WEBHOOK_SECRET"  # noqa: S105 - a variable's name
_NEW_SECRET = "whsec_$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"  # noqa: S105 - a shell command
_NO_SECRET = (
    f"no signing secret: export {SECRET_ENV} (your receiver verifies with the same variable), "
    f"e.g. export {SECRET_ENV}={_NEW_SECRET}"
)

#: Exit statuses of a command stopped by SIGINT / SIGTERM (128 + the signal number).
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


class Terminated(Exception):
    """SIGTERM arrived."""


def local_time(iso: str, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """An ISO-8601 UTC time from the server, in the local time zone."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone().strftime(fmt)


def attempt_lines(attempt: Mapping[str, Any]) -> list[str]:
    """What ``listen`` prints for one attempt: a line, and the error's text when it failed."""
    answer = attempt["httpStatus"] or str(attempt["error"] or "-").split(":", 1)[0]
    if attempt["status"] == "pending":
        outcome = f"failed, retry at {local_time(attempt['nextAttemptAt'], '%H:%M:%S')}"
    else:
        outcome = "delivered" if attempt["status"] == "delivered" else "failed, no retries left"
    head = (
        f"{local_time(attempt['at'])}  {attempt['eventName']:<18} {attempt['eventId']}  "
        f"attempt {attempt['attempt']}  -> [{answer}] {outcome}"
    )
    return [head] if attempt["status"] == "delivered" else [head, f"    {attempt['error']}"]


def listen(
    admin: LocalAdmin,
    forward_to: str,
    game_id: str | None,
    secret: str,
    *,
    echo: Callable[[str], None],
) -> None:
    """Register ``forward_to``, print each attempt to it until interrupted, then unregister."""
    endpoint = admin.add_endpoint(forward_to, game_id, secret)
    del endpoint["secret"]  # the caller's own: never echoed
    game, removed = endpoint["gameId"], False
    try:
        with closing(admin.attempts(endpoint["id"])) as events:
            for event in events:
                if event.name == "ready":
                    echo(f"Ready: Kraty Local ({admin.base_url}) now posts {game}'s events to")
                    echo(f"  {forward_to}")
                    echo(f"Signed with the secret in ${SECRET_ENV}.")
                    json_line("ready", {"endpoint": endpoint, "base_url": admin.base_url})
                elif event.name == "attempt":
                    for line in attempt_lines(event.data):
                        echo(line)
                    json_line("attempt", event.data)
                elif event.name == "removed":
                    removed = True
                    raise click.ClickException(
                        "the temporary endpoint was removed from Kraty Local"
                    )
        raise click.ClickException("Kraty Local closed the stream (was it stopped?)")
    finally:
        if not removed:
            _remove(admin, endpoint["id"], echo)


def _remove(admin: LocalAdmin, endpoint_id: str, echo: Callable[[str], None]) -> None:
    try:
        admin.remove_endpoint(endpoint_id)
    except click.ClickException as exc:
        echo(f"Could not remove the temporary endpoint ({exc.message}); it expires on its own.")
    else:
        echo("Temporary endpoint removed.")


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while the block runs (in the main thread)."""

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command("listen")
@connection_options
@click.option(
    "--forward-to",
    required=True,
    help="Your receiver's URL, e.g. http://127.0.0.1:9000/kraty/webhook.",
)
@click.option("--game", "game_id", help="Game whose events to receive (default: the key's).")
@click.pass_context
def listen_command(
    ctx: click.Context,
    api_key: str | None,
    base_url: str | None,
    forward_to: str,
    game_id: str | None,
) -> None:
    """Send a running Kraty Local's events to a local receiver until Ctrl-C (like stripe listen).

    Deliveries are signed with the secret in $KRATY_WEBHOOK_SECRET, the variable your receiver
    verifies with. Every delivery attempt is printed as it happens, redeliveries included. The
    base URL defaults to a local server's, http://127.0.0.1:8787.
    """
    secret = os.environ.get(SECRET_ENV)
    if not secret:
        raise click.UsageError(_NO_SECRET)
    admin = LocalAdmin(base_url, api_key)
    try:
        with sigterm_raises():
            # --json: one JSON line per event on stdout, the lines for people on stderr
            echo = functools.partial(click.echo, err=json_mode())
            listen(admin, forward_to, game_id, secret, echo=echo)
    except KeyboardInterrupt:
        ctx.exit(EXIT_INTERRUPTED)
    except Terminated:
        ctx.exit(EXIT_TERMINATED)
    finally:
        admin.close()
