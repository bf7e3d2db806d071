"""``store.bulk.insert_many`` stores exactly what SQLAlchemy Core's insert of the same values
stores, on each engine, and skips conflicting rows as ``ON CONFLICT DO NOTHING`` does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, text

from kraty_local.db import make_engine
from kraty_local.store.bulk import insert_many, update_many
from kraty_local.store.schema import players

NOW = datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=timezone(timedelta(hours=2)))
SHARED = {"studio_id": "studio_1", "game_id": "game_1", "created_at": NOW, "updated_at": NOW}
SNAPSHOTS: list[Any] = [None, {"level": 3, "name": "é\t", "tags": [1, 2.5, True, None]}, {}]


@pytest.fixture
def db(database_target: str) -> Iterator[Engine]:
    engine = make_engine(database_target)
    yield engine
    engine.dispose()


def stored(engine: Engine, prefix: str) -> list[tuple[Any, ...]]:
    """The rows of players whose id starts with ``prefix`` as the driver returns them (no
    SQLAlchemy type processing), without their ids."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT studio_id, game_id, created_at, updated_at, last_context_snapshot,"
                " first_seen_at FROM players WHERE id LIKE :prefix ORDER BY id"
            ),
            {"prefix": prefix + "%"},
        )
        return [tuple(row) for row in rows]


def test_rows_are_stored_as_core_stores_them(db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(
            players.insert(),
            [
                {
                    **SHARED,
                    "id": f"core-{i}",
                    "external_player_id": f"core-{i}",
                    "last_context_snapshot": s,
                }
                for i, s in enumerate(SNAPSHOTS)
            ],
        )
        returned = insert_many(
            conn,
            players,
            ("id", "external_player_id", "last_context_snapshot"),
            [(f"bulk-{i}", f"bulk-{i}", s) for i, s in enumerate(SNAPSHOTS)],
            SHARED,
        )
    assert returned == []
    assert stored(db, "bulk-") == stored(db, "core-")
    assert len(stored(db, "bulk-")) == len(SNAPSHOTS)


def test_conflicting_rows_are_skipped_and_only_inserted_ones_returned(db: Engine) -> None:
    columns = ("id", "external_player_id")
    unique = ("game_id", "external_player_id")
    with db.begin() as conn:
        first = insert_many(
            conn,
            players,
            columns,
            [("a-1", "x1"), ("a-2", "x2")],
            SHARED,
            conflict_on=unique,
            returning=("external_player_id",),
        )
        again = insert_many(
            conn,
            players,
            columns,
            [("b-1", "x1"), ("b-3", "x3"), ("b-4", "x3")],
            SHARED,
            conflict_on=unique,
            returning=("external_player_id",),
        )
        silent = insert_many(
            conn, players, columns, [("c-1", "x1"), ("c-5", "x5")], SHARED, conflict_on=unique
        )
    assert sorted(first) == [("x1",), ("x2",)]
    assert again == [("x3",)]
    assert silent == []
    assert [row[0] for row in stored(db, "")] == ["studio_1"] * 4


def test_statements_are_split_below_the_variable_cap(db: Engine) -> None:
    ids = [f"many-{i:05}" for i in range(2500)]
    with db.begin() as conn:
        returned = insert_many(
            conn,
            players,
            ("id", "external_player_id"),
            [(i, i) for i in ids],
            SHARED,
            conflict_on=("game_id", "external_player_id"),
            returning=("id",),
        )
    assert sorted(r[0] for r in returned) == ids


def test_updates_are_stored_as_core_stores_them(db: Engine) -> None:
    later = NOW + timedelta(days=1, microseconds=7)
    with db.begin() as conn:
        insert_many(
            conn,
            players,
            ("id", "external_player_id"),
            [(f"{side}-{i}", f"{side}-{i}") for side in ("core", "bulk") for i in range(3)],
            SHARED,
        )
        for i, snapshot in enumerate(SNAPSHOTS):
            conn.execute(
                players.update()
                .where(players.c.id == f"core-{i}")
                .values(last_context_snapshot=snapshot, updated_at=later, first_seen_at=later)
            )
        update_many(
            conn,
            players,
            "id",
            ("last_context_snapshot", "first_seen_at"),
            [(f"bulk-{i}", snapshot, later) for i, snapshot in enumerate(SNAPSHOTS)],
            {"updated_at": later},
        )
    assert stored(db, "bulk-") == stored(db, "core-")
    assert all(row[5] != row[2] for row in stored(db, "bulk-"))  # first seen != created
