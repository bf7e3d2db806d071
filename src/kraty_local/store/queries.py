"""Portable query helpers that SQLAlchemy Core does not spell the same way on every engine.

The statements are built once per table (and engine) and reused: SQLAlchemy then finds their
compiled form in its cache without building and hashing a new construct per call.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Row, Table, text
from sqlalchemy.dialects import postgresql, sqlite


@functools.cache
def insert_into(table: Table) -> Insert:
    """``INSERT INTO table``; the columns are those of the parameters it is executed with."""
    return table.insert()


def insert_ignore(
    conn: Connection, table: Table, values: Mapping[str, Any], conflict_on: Sequence[str]
) -> bool:
    """``INSERT ... ON CONFLICT (conflict_on) DO NOTHING``; True when the row was inserted.

    On PostgreSQL a concurrent inserter of the same key waits for the first to commit, so the
    loser reliably sees the winner's row afterwards.
    """
    # RETURNING yields a row only when one was inserted (rowcount is unreliable with RETURNING).
    stmt = _insert_ignore(conn.dialect.name, table, tuple(conflict_on), ())
    return conn.execute(stmt, dict(values)).first() is not None


def insert_ignore_many(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict_on: Sequence[str],
    returning: Sequence[str],
) -> list[Row[Any]]:
    """:func:`insert_ignore` for many rows in one batched statement; the ``returning`` columns
    of the rows actually inserted, in no particular order."""
    if not rows:
        return []
    stmt = _insert_ignore(conn.dialect.name, table, tuple(conflict_on), tuple(returning))
    return list(conn.execute(stmt, list(rows)))


@functools.cache
def _insert_ignore(
    dialect: str, table: Table, conflict_on: tuple[str, ...], returning: tuple[str, ...]
) -> Any:
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:  # pragma: no cover - only the two engines are supported
        raise NotImplementedError(f"unsupported database {dialect!r}")
    columns = [table.c[name] for name in returning] or list(table.primary_key.columns)
    return stmt.on_conflict_do_nothing(index_elements=list(conflict_on)).returning(*columns)


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def lock_name(conn: Connection, name: str) -> None:
    """Serialize the transactions that lock ``name``, until this one ends (PostgreSQL: an
    advisory transaction lock on a 64-bit hash of it; SQLite runs one writer at a time anyway)."""
    if conn.dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    conn.execute(_ADVISORY_LOCK, {"key": key})
