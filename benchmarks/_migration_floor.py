"""The floor of a bulk import into SQLite: the same rows written with raw ``sqlite3``.

Kraty Local's own schema (migrated as it migrates it), the same 1,000-row batches, one
transaction each: for players the migration keys and the player rows; for wallet rows the keys,
the holdings and their ledger rows (the players exist by then). No HTTP, no JSON, no ORM.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from itertools import islice

from kraty_local.db import make_engine
from kraty_local.migrations import upgrade

BATCH = 1000
_KEY = (
    "INSERT INTO migration_keys (studio_id, game_id, endpoint, key, created_at) VALUES (?,?,?,?,?)"
)
_PLAYER = (
    "INSERT INTO players (id, studio_id, game_id, external_player_id, created_at, updated_at,"
    " first_seen_at, last_seen_at, registered_at) VALUES (?,?,?,?,?,?,?,?,?)"
)
_WALLET = (
    "INSERT INTO wallets (id, player_id, economy_key, balance, created_at, updated_at)"
    " VALUES (?,?,?,?,?,?)"
)
_LEDGER = (
    "INSERT INTO wallet_ledger (wallet_id, player_id, economy_key, delta, balance_after,"
    " source_kind, source_ref_id, actor, created_at) VALUES (?,?,?,?,?,?,?,?,?)"
)


def rows_per_second(path: str, rows: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Import ``rows`` players, then ``rows`` wallet rows, into a new database at ``path``;
    rows per second of wall clock and of this process's CPU, for each table."""
    engine = make_engine(path)
    upgrade(engine)
    engine.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    player_ids: dict[int, str] = {}

    def players_batch(numbers: list[int], now: str) -> None:
        conn.executemany(_KEY, [("studio_1", "game_1", "players", f"m_{i}", now) for i in numbers])
        created = []
        for i in numbers:
            player_ids[i] = str(uuid.uuid4())
            created.append((player_ids[i], "studio_1", "game_1", f"m_{i}", now, now, now, now, now))
        conn.executemany(_PLAYER, created)

    def wallet_batch(numbers: list[int], now: str) -> None:
        conn.executemany(
            _KEY, [("studio_1", "game_1", "wallet", f"m_{i}:gold", now) for i in numbers]
        )
        holdings = [
            (str(uuid.uuid4()), player_ids[i], "gold", 100 + i % 7, now, now) for i in numbers
        ]
        conn.executemany(_WALLET, holdings)
        conn.executemany(
            _LEDGER,
            [
                (h[0], h[1], "gold", h[3], h[3], "migration", f"m_{i}:gold", "bench", now)
                for i, h in zip(numbers, holdings, strict=True)
            ],
        )

    def timed(write: Callable[[list[int], str], None]) -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        numbers = iter(range(rows))
        while batch := list(islice(numbers, BATCH)):
            now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(" ")
            conn.execute("BEGIN IMMEDIATE")
            write(batch, now)
            conn.execute("COMMIT")
        return rows / (time.perf_counter() - started), rows / (time.process_time() - cpu)

    try:
        return timed(players_batch), timed(wallet_batch)
    finally:
        conn.close()
