"""Options and client construction shared by the commands that call a Kraty server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kraty_admin import KratyAdmin

F = TypeVar("F", bound=Callable[..., Any])


def connection_options(command: F) -> F:
    """Add ``--api-key`` and ``--base-url`` (read from the environment by default)."""
    command = click.option(
        "--base-url", envvar="KRATY_BASE_URL", help="API base URL [env: KRATY_BASE_URL]."
    )(command)
    return click.option(
        "--api-key",
        envvar="KRATY_SERVER_KEY",
        show_envvar=False,
        help="Server key [env: KRATY_SERVER_KEY]; never printed.",
    )(command)


def open_client(api_key: str | None, base_url: str | None) -> KratyAdmin:
    """A client for the command, or a usage error that says what is missing."""
    if not api_key:
        raise click.UsageError("no API key: pass --api-key or set KRATY_SERVER_KEY")
    try:
        return KratyAdmin(api_key, base_url=base_url)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
