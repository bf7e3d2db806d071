"""``kraty-admin local ...``: run Kraty Local (needs the ``local`` extra)."""

from __future__ import annotations

import click

from kraty_admin.cli._local_options import (
    database_option,
    missing_extra,
    supplied_server_key,
    world_option,
)
from kraty_admin.cli._local_seed import export, seed


@click.group("local")
def local() -> None:
    """Kraty Local, a stateful local implementation of the /server/v1 API."""


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
def serve(host: str, port: int, db: str, world_file: str | None, workers: int) -> None:
    """Serve Kraty Local until interrupted; prints the base URL and server key first.

    With --workers N, N uvicorn processes serve one PostgreSQL database; each process has its own
    rate-limit buckets, so a key's effective limit is N times the world's.
    """
    try:
        from kraty_local.server import serve as run_server
        from kraty_local.server import serve_workers
        from kraty_local.settings import Settings
        from kraty_local.world import WorldError, default_world, load_world
    except ImportError as exc:
        raise missing_extra(exc) from None
    try:
        world = load_world(world_file) if world_file else default_world()
        settings = Settings(database=db, world=world, server_key=supplied_server_key())
        if workers > 1:
            serve_workers(host, port, settings, workers)
            return
    except (WorldError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    run_server(host, port, settings)


local.add_command(seed)
local.add_command(export)
