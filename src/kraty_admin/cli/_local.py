"""``kraty-admin local ...``: run Kraty Local (needs the ``local`` extra)."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

import click

from kraty_admin.cli._local_options import (
    database_option,
    missing_extra,
    supplied_server_key,
    world_option,
)
from kraty_admin.cli._local_seed import export, seed
from kraty_admin.cli._output import CommandError, emit, json_mode

if TYPE_CHECKING:
    from collections.abc import Callable

    from kraty_local.settings import Settings

#: Where clients reach a server bound to every interface.
_WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1"}  # noqa: S104 (a name, not a bind)


@click.group("local")
def local() -> None:
    """Kraty Local, a stateful local implementation of the /server/v1 API."""


def _announcer(base_url: str, settings: Settings, workers: int) -> Callable[[str, str], None]:
    """What ``local serve`` prints once the database is ready: where to connect, and the two
    ``export`` lines that point the SDK and this CLI at it. A key Kraty Local generated is
    shown so it can be copied (a local development key); a supplied one is never echoed."""

    def announce(server_key: str, client_key: str) -> None:
        supplied = settings.server_key is not None
        prefix = server_key.split(".", 1)[0]
        emit(
            {
                "base_url": base_url,
                "database": settings.database,
                "workers": workers,
                "server_key": None if supplied else server_key,
                "server_key_prefix": prefix,
                "server_key_from": "environment" if supplied else "generated",
                "client_key": client_key,
            },
            "\n".join(_human_announcement(base_url, settings, workers, server_key, client_key)),
        )

    return announce


def _human_announcement(
    base_url: str, settings: Settings, workers: int, server_key: str, client_key: str
) -> list[str]:
    from kraty_local.settings import SERVER_KEY_ENV

    processes = f", {workers} worker processes" if workers > 1 else ""
    lines = [f"Kraty Local listening on {base_url}  (database: {settings.database}{processes})"]
    if settings.server_key is not None:
        lines.append(f"Server key: {server_key.split('.', 1)[0]}.… (from ${SERVER_KEY_ENV})")
        key_export = f'"${SERVER_KEY_ENV}"'
        key_expression = f'os.environ["{SERVER_KEY_ENV}"]'
    else:
        lines.append(f"Server key (generated for this database): {server_key}")
        key_export = shlex.quote(server_key)
        key_expression = f'"{server_key}"'
    return [
        *lines,
        f"Client key (client_sdk, for the game's /sdk/v1): {client_key}",
        "Point the SDK and kraty-admin at it (paste into your shell):",
        f"    export KRATY_BASE_URL={shlex.quote(base_url)}",
        f"    export KRATY_SERVER_KEY={key_export}",
        "Python:",
        "    from kraty_admin import KratyAdmin",
        f'    kraty = KratyAdmin(api_key={key_expression}, base_url="{base_url}")',
    ]


@local.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8787, show_default=True, type=int, help="TCP port.")
@database_option
@world_option
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Server processes sharing the database (more than one needs PostgreSQL).",
)
@click.option(
    "--access-log", is_flag=True, help="Log one line per request on stdout (off: faster)."
)
def serve(
    host: str, port: int, db: str, world_file: str | None, workers: int, access_log: bool
) -> None:
    """Serve Kraty Local until interrupted; prints the base URL, the server key and the
    `export` lines to copy first.

    The port is checked before anything else: when it is taken, nothing is printed but the
    error, and no database is created. With --workers N, N uvicorn processes serve one
    PostgreSQL database; each process has its own rate-limit buckets, so a key's effective
    limit is N times the world's. With --json, the announcement is one JSON line on stdout
    and the server's log stays on stderr.
    """
    try:
        from kraty_local.server import bind, serve_workers
        from kraty_local.server import serve as run_server
        from kraty_local.settings import Settings
        from kraty_local.world import WorldError, default_world, load_world
    except ImportError as exc:
        raise missing_extra(exc) from None
    try:
        world = load_world(world_file) if world_file else default_world()
        settings = Settings(
            database=db, world=world, server_key=supplied_server_key(), freeze_gc=True
        )
    except (WorldError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise CommandError(
            "port_unavailable",
            f"cannot listen on {host}:{port}: {exc.strerror or exc} (is Kraty Local already "
            "running? stop it, or pick another --port)",
        ) from None
    base_url = f"http://{_WILDCARD_HOSTS.get(host, host)}:{sock.getsockname()[1]}"
    announce = _announcer(base_url, settings, workers)
    access_log = access_log and not json_mode()  # with --json, stdout stays one JSON document
    try:
        if workers > 1:
            serve_workers(sock, settings, workers, on_ready=announce, access_log=access_log)
        else:
            run_server(sock, settings, on_ready=announce, access_log=access_log)
    except (ValueError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        sock.close()


local.add_command(seed)
local.add_command(export)
