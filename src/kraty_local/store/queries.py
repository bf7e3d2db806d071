"""Portable query helpers that SQLAlchemy Core does not spell the same way on every engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignore(
    conn: Connection, table: Table, values: Mapping[str, Any], conflict_on: Sequence[str]
) -> bool:
    """``INSERT ... ON CONFLICT (conflict_on) DO NOTHING``; True when the row was inserted.

    On PostgreSQL a concurrent inserter of the same key waits for the first to commit, so the
    loser reliably sees the winner's row afterwards.
    """
    stmt = _on_conflict_do_nothing(conn, table, conflict_on).values(**values)
    # RETURNING yields a row only when one was inserted (rowcount is unreliable with RETURNING).
    return conn.execute(stmt.returning(*table.primary_key.columns)).first() is not None


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
    stmt = _on_conflict_do_nothing(conn, table, conflict_on)
    columns = [table.c[name] for name in returning]
    return list(conn.execute(stmt.returning(*columns), list(rows)))


def _on_conflict_do_nothing(conn: Connection, table: Table, conflict_on: Sequence[str]) -> Any:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:  # pragma: no cover - only the two engines are supported
        raise NotImplementedError(f"unsupported database {dialect!r}")
    return stmt.on_conflict_do_nothing(index_elements=list(conflict_on))
