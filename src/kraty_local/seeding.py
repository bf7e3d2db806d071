"""Seeding a Kraty Local database from a seed, and exporting one, outside any request.

Used by ``kraty-admin local seed`` / ``local export`` and by the ``kraty_local`` pytest fixture.
A seed is applied in one transaction (all of it or nothing); see
:mod:`kraty_local.services.seeding` for what it does to existing state.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from kraty_local.db import make_engine, run_transaction
from kraty_local.migrations import upgrade
from kraty_local.seed import Seed, SeedError, load_seed
from kraty_local.seed.references import resolve_game
from kraty_local.services.context import OpContext
from kraty_local.services.seed_export import UnknownPlayersError, export_seed
from kraty_local.services.seeding import SeedReport, apply_seed
from kraty_local.world import World

__all__ = [
    "SeedReport",
    "UnknownPlayersError",
    "export_database",
    "open_database",
    "seed_database",
]

#: The actor recorded on the ledger and audit rows a seed writes.
SEED_ACTOR = "seed"


def open_database(database: str) -> Engine:
    """An engine for ``database`` (file path or URL), migrated to the current schema."""
    engine = make_engine(database)
    try:
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def seed_database(
    engine: Engine,
    world: World,
    data: Seed | Mapping[str, Any] | str | Path,
    *,
    now: datetime,
) -> SeedReport:
    """Check ``data`` (a seed, a parsed document or a file path) and apply it in one
    transaction; ``SeedError`` (nothing applied) when it is invalid or conflicts with the
    database."""
    seed = load_seed(data, world)
    game = resolve_game(world, seed)
    if game is None:  # pragma: no cover - load_seed has checked it
        raise SeedError([f"game: unknown game {seed.game!r}"])

    def work(conn: Connection) -> SeedReport:
        return apply_seed(OpContext(conn, world, game, SEED_ACTOR, now), seed)

    return run_transaction(engine, work)


def export_database(
    engine: Engine,
    world: World,
    *,
    now: datetime,
    game_id: str | None = None,
    only: Collection[str] | None = None,
) -> dict[str, Any]:
    """The seed document of a game's players (``only``: those and the players linked to them).

    ``KeyError`` for an unknown game, :class:`UnknownPlayersError` for unknown ``only`` ids.
    """
    game = world.games[game_id or world.default_game_id]

    def work(conn: Connection) -> Seed:
        return export_seed(OpContext(conn, world, game, SEED_ACTOR, now), only)

    return run_transaction(engine, work, write=False).to_document()
