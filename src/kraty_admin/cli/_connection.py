"""Options and client construction shared by the commands that call a Kraty server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kraty_admin import KratyAdmin
from kraty_admin._base_client import DEFAULT_BASE_URL
from kraty_admin.cli._output import remember_server, warn

F = TypeVar("F", bound=Callable[..., Any])

#: How the keys Kraty Local generates for itself begin.
LOCAL_KEY_PREFIX = "kl_test_"


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
    """A client for the command, or a usage error that says what is missing.

    A Kraty Local key aimed at the hosted API gets a warning: it is almost always a missing
    ``KRATY_BASE_URL``.
    """
    if not api_key:
        raise click.UsageError("no API key: pass --api-key or set KRATY_SERVER_KEY")
    try:
        kraty = KratyAdmin(api_key, base_url=base_url)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if api_key.startswith(LOCAL_KEY_PREFIX) and kraty.base_url == DEFAULT_BASE_URL:
        warn(
            f"this is a Kraty Local key ({LOCAL_KEY_PREFIX}...) but the base URL is the hosted "
            f"API, {DEFAULT_BASE_URL}; for Kraty Local set KRATY_BASE_URL (e.g. export "
            "KRATY_BASE_URL=http://127.0.0.1:8787) or pass --base-url"
        )
    remember_server(kraty.base_url)
    return kraty
