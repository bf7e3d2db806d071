"""``kraty-admin local seed FILE`` and ``local export FILE``: state in and out of Kraty Local.

Both work on the database directly (like ``local serve``), so no server needs to run; the seed
format is described in ``docs/seeding.md``. ``-`` reads stdin / writes stdout.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from kraty_admin.cli._local_options import (
    database_option,
    load_world_option,
    missing_extra,
    world_option,
)
from kraty_admin.cli._output import emit, json_mode

if TYPE_CHECKING:
    from sqlalchemy import Engine


def _open(db: str, *, must_exist: bool) -> Engine:
    try:
        from kraty_local.seeding import open_database
    except ImportError as exc:
        raise missing_extra(exc) from None
    if must_exist and "://" not in db and not Path(db).is_file():
        raise click.ClickException(f"no Kraty Local database at {db}")
    try:
        return open_database(db)
    except Exception as exc:  # a bad URL, an unreachable server, an unversioned database
        raise click.ClickException(f"cannot open the database {db}: {exc}") from None


@click.command("seed")
@click.argument("seed_file", metavar="FILE", type=click.File("r", encoding="utf-8"))
@database_option
@world_option
@click.option("--check", is_flag=True, help="Only check the file; change nothing.")
def seed(seed_file: IO[str], db: str, world_file: str | None, check: bool) -> None:
    """Put the players, holdings and social links of a seed FILE (JSON; - for stdin) into the
    database, in one transaction. Emits no webhooks.

    Listed players are created or updated; listed balances and quantities are set (with a
    ledger row of the difference); friendships, requests and blocks are added if missing.
    """
    world = load_world_option(world_file)
    from kraty_local.seed import SeedError, parse_seed_text

    source = "<stdin>" if seed_file.name == "<stdin>" else str(seed_file.name)
    try:
        parsed = parse_seed_text(seed_file.read(), world, source=source)
    except SeedError as exc:
        raise click.ClickException(str(exc)) from None
    if check:
        players = len(parsed.players)
        emit(
            {"source": source, "valid": True, "players": players, "applied": False},
            f"{source}: OK ({players} players); nothing was applied",
        )
        return
    from kraty_local.seeding import seed_database

    engine = _open(db, must_exist=False)
    try:
        report = seed_database(engine, world, parsed, now=datetime.now(timezone.utc))
    except SeedError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    emit(
        {"source": source, "database": db, "applied": True, **report.as_dict()},
        f"Seeded {source} into {db}: {report.summary()}",
    )


@click.command("export")
@click.argument("out", metavar="FILE", type=click.File("w", encoding="utf-8", lazy=True))
@database_option
@world_option
@click.option("--game", "game_id", help="The game to export (default: the world's default).")
@click.option(
    "--player",
    "only",
    multiple=True,
    metavar="ID",
    help="Export only this player and those linked to it (repeatable).",
)
def export(
    out: IO[str], db: str, world_file: str | None, game_id: str | None, only: tuple[str, ...]
) -> None:
    """Write the database's players, holdings and social links as a seed FILE (- for stdout).

    Seeding the file into a fresh database reproduces the same export.
    """
    world = load_world_option(world_file)
    if game_id is not None and game_id not in world.games:
        raise click.BadParameter(
            f"unknown game {game_id!r} (the world has: {', '.join(sorted(world.games))})",
            param_hint="--game",
        )
    from kraty_local.seed import dump_seed
    from kraty_local.seeding import UnknownPlayersError, export_database

    engine = _open(db, must_exist=True)
    try:
        document = export_database(
            engine,
            world,
            now=datetime.now(timezone.utc),
            game_id=game_id,
            only=only or None,
        )
    except UnknownPlayersError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    out.write(dump_seed(document))
    out.flush()
    if out.name in ("-", "<stdout>"):
        return  # the seed document is the output (JSON, so --json changes nothing)
    players = len(document["players"])
    if json_mode():
        emit({"written": out.name, "players": players})
    else:
        click.echo(f"Exported {players} players to {out.name}", err=True)
