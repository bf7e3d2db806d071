"""Options the ``kraty-admin local`` commands share: where the database and the world are."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from kraty_local.world import World

F = TypeVar("F", bound=Callable[..., Any])

LOCAL_HINT = "Kraty Local needs the 'local' extra:  pip install 'kraty-admin[local]'"
DEFAULT_DATABASE = "./kraty-local.sqlite"


def supplied_server_key() -> str | None:
    """The server key the operator supplied in ``$KRATY_LOCAL_SERVER_KEY`` (the CLI alone reads
    the environment; Kraty Local takes the key as a setting). Needs the ``local`` extra."""
    from kraty_local.settings import SERVER_KEY_ENV

    return os.environ.get(SERVER_KEY_ENV) or None


def database_option(command: F) -> F:
    """``--db``: a SQLite file path or a database URL."""
    return click.option(
        "--db",
        default=DEFAULT_DATABASE,
        show_default=True,
        help="SQLite file path or database URL (sqlite:///..., postgresql://...).",
    )(command)


def world_option(command: F) -> F:
    """``--world``: the world TOML file (default: the built-in world)."""
    return click.option(
        "--world",
        "world_file",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="World TOML file (see kraty_local/world.example.toml); default: the built-in world.",
    )(command)


def missing_extra(exc: ImportError) -> click.ClickException:
    """The error for a command run without the ``local`` extra."""
    return click.ClickException(f"{LOCAL_HINT}\n(missing module: {exc.name})")


def load_world_option(world_file: str | None) -> World:
    """The world ``--world`` names (a click error when it is invalid)."""
    try:
        from kraty_local.world import WorldError, default_world, load_world
    except ImportError as exc:
        raise missing_extra(exc) from None
    try:
        return load_world(world_file) if world_file else default_world()
    except WorldError as exc:
        raise click.ClickException(str(exc)) from None
