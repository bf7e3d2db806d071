"""Support operations: look a player up, export, ban, merge, credit and revoke from a shell.

Every money or item change needs ``--idempotency-key``: a support command is exactly the kind of
thing that gets run twice, and the key makes the second run a harmless replay.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kraty_admin import KratyAdmin, RetryConfig
from kraty_admin.cli._connection import connection_options, open_client
from kraty_admin.cli._output import confirm, emit, yes_option

Action = Callable[[KratyAdmin], Any]

_IDEMPOTENCY_HELP = (
    "Required: your id for this operation (ticket or receipt id), so running the command "
    "twice applies it once."
)
_ONE_TRY = RetryConfig(attempts=1)


def _run(api_key: str | None, base_url: str | None, action: Action) -> None:
    """Call the API and print the result (errors are reported by the root group)."""
    with open_client(api_key, base_url) as kraty:
        result = action(kraty)
    emit(result)


def _api_command(group: click.Group, name: str) -> Callable[[Callable[..., Action]], Any]:
    """Register a command whose function returns the API action to run and print."""

    def register(build: Callable[..., Action]) -> Any:
        @functools.wraps(build)
        def command(api_key: str | None, base_url: str | None, **arguments: Any) -> None:
            _run(api_key, base_url, build(**arguments))

        return group.command(name)(connection_options(command))

    return register


@click.command("ping")
@connection_options
def ping(api_key: str | None, base_url: str | None) -> None:
    """Check the key and the connection (one try: a person is waiting for the answer)."""
    _run(api_key, base_url, lambda kraty: kraty.with_options(retry=_ONE_TRY).health.ping())


@click.group("players")
def players() -> None:
    """Look up, export, ban, merge or erase players."""


@_api_command(players, "get")
@click.argument("player")
def _get(player: str) -> Action:
    """Show PLAYER's snapshot: wallet, inventory, recent grants."""
    return lambda kraty: kraty.players.get(player)


@_api_command(players, "export")
@click.argument("player")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the bundle to this file instead of printing it.",
)
def _export(player: str, output: Path | None) -> Action:
    """Export everything held about PLAYER (GDPR Article 15)."""

    def export(kraty: KratyAdmin) -> Any:
        bundle = kraty.players.export(player)
        if output is None:
            return bundle
        output.write_text(json.dumps(bundle, indent=2, ensure_ascii=False), encoding="utf-8")
        return {"written": str(output), "bytes": output.stat().st_size}

    return export


@_api_command(players, "ban")
@click.argument("player")
@click.option(
    "--reason",
    required=True,
    help="Required: why the player is banned (kept in the audit log, sent with player.banned).",
)
def _ban(player: str, reason: str) -> Action:
    """Soft-ban PLAYER (idempotent)."""
    return lambda kraty: kraty.players.ban(player, reason=reason)


@_api_command(players, "unban")
@click.argument("player")
def _unban(player: str) -> Action:
    """Lift PLAYER's ban (idempotent)."""
    return lambda kraty: kraty.players.unban(player)


@_api_command(players, "merge")
@click.argument("source")
@click.argument("target")
@yes_option
def _merge(source: str, target: str, yes: bool) -> Action:
    """Fold player SOURCE into player TARGET (balances and items add up); asks first."""

    def merge(kraty: KratyAdmin) -> Any:
        confirm(
            f"Merge player {source!r} into {target!r} on {kraty.base_url}? {source!r} is "
            "anonymized and its balances, items and history move to "
            f"{target!r}; this cannot be undone.",
            yes=yes,
        )
        return kraty.players.merge(source, target)

    return merge


@_api_command(players, "delete")
@click.argument("player")
@click.option(
    "--reason",
    type=click.Choice(["gdpr_erasure", "studio_request", "test"]),
    default="gdpr_erasure",
    show_default=True,
)
@yes_option
def _delete(player: str, reason: str, yes: bool) -> Action:
    """Erase PLAYER (GDPR Article 17); the financial ledger is kept, anonymized. Asks first."""

    def erase(kraty: KratyAdmin) -> Any:
        confirm(
            f"Erase player {player!r} on {kraty.base_url}? Their personal data is deleted "
            "(the ledger is kept, anonymized); this cannot be undone.",
            yes=yes,
        )
        return kraty.players.delete(player, reason=reason)  # type: ignore[arg-type]

    return erase


def _holding_command(group: click.Group, action: str, key_name: str, count_name: str) -> None:
    """Register ``wallet credit|debit`` or ``inventory grant|revoke`` on ``group``."""

    @group.command(action, help=f"{action.capitalize()} {count_name} of {key_name} for PLAYER.")
    @click.argument("player")
    @click.argument("key", metavar=key_name.upper())
    @click.argument("count", metavar=count_name.upper(), type=click.IntRange(min=1))
    @click.option("--reason", default=None, help="Why (kept in the ledger).")
    @click.option("--idempotency-key", required=True, help=_IDEMPOTENCY_HELP)
    @connection_options
    def command(
        player: str,
        key: str,
        count: int,
        reason: str | None,
        idempotency_key: str,
        api_key: str | None,
        base_url: str | None,
    ) -> None:
        def call(kraty: KratyAdmin) -> Any:
            method = getattr(getattr(kraty, group.name or ""), action)
            return method(player, key, count, reason=reason, idempotency_key=idempotency_key)

        _run(api_key, base_url, call)


@click.group("wallet")
def wallet() -> None:
    """Credit or debit a player's currency."""


@click.group("inventory")
def inventory() -> None:
    """Grant or revoke a player's items."""


for _action in ("credit", "debit"):
    _holding_command(wallet, _action, "economy_key", "amount")
for _action in ("grant", "revoke"):
    _holding_command(inventory, _action, "item_key", "quantity")
