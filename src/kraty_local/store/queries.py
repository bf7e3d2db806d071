"""Portable query helpers that SQLAlchemy Core does not spell the same way on every engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignore(
    conn: Connection, table: Table, values: Mapping[str, Any], conflict_on: Sequence[str]
) -> bool:
    """``INSERT ... ON CONFLICT (conflict_on) DO NOTHING``; True when the row was inserted.

    On PostgreSQL a concurrent inserter of the same key waits for the first to commit, so the
    loser reliably sees the winner's row afterwards.
    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).values(**values)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).values(**values)
    else:  # pragma: no cover - only the two engines are supported
        raise NotImplementedError(f"unsupported database {dialect!r}")
    stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict_on))
    # RETURNING yields a row only when one was inserted (rowcount is unreliable with RETURNING).
    return conn.execute(stmt.returning(*table.primary_key.columns)).first() is not None
