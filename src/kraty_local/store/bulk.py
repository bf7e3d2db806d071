"""Bulk inserts and updates for the set-based paths (migration): few Python steps per row.

Rows come as tuples in the order of their ``columns``, with the values every row shares given
once (``shared``). On SQLite they reach the driver directly, each value in the very form
SQLAlchemy would bind it (the columns' own bind processors; for the shared values once per
call): SQLAlchemy's per-row parameter handling, a dict and a processed list per row, is what a
1,000-row batch spent most of its time on. Other engines take the same rows through SQLAlchemy
Core.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table, Update, bindparam

from kraty_local.store.queries import insert_ignore_many, insert_into

#: SQLite's default cap on bound variables in one statement (3.32+).
_SQLITE_MAX_VARIABLES = 32766
#: Rows per multi-row ``VALUES`` statement, as SQLAlchemy's own batches.
_ROWS_PER_STATEMENT = 1000


def insert_many(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    shared: Mapping[str, Any] | None = None,
    *,
    conflict_on: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (values of ``columns``, each row also taking the ``shared`` values).

    ``conflict_on``: skip a row that would conflict on these columns (``ON CONFLICT DO
    NOTHING``). ``returning``: these columns of the rows actually inserted, in no particular
    order, as stored (plain text and numbers; ask only for such columns).
    """
    if not rows:
        return []
    shared = shared or {}
    if conn.dialect.name != "sqlite":
        dicts = [dict(zip(columns, row, strict=True), **shared) for row in rows]
        if not conflict_on:
            conn.execute(insert_into(table), dicts)
            return []
        found = insert_ignore_many(conn, table, dicts, conflict_on, returning or ["id"])
        return [tuple(r) for r in found] if returning else []
    names = (*columns, *shared)
    values = list(zip(*_bound_columns(conn.dialect, table, columns, rows, shared), strict=False))
    head = _insert_head(conn.dialect, table, names)
    tail = _conflict_tail(conn.dialect, tuple(conflict_on), tuple(returning))
    one = "(" + ",".join("?" * len(names)) + ")"
    if not returning:
        conn.exec_driver_sql(f"{head}{one}{tail}", values)
        return []
    # sqlite3's executemany returns no rows: one multi-row VALUES statement per chunk instead.
    per_statement = min(_ROWS_PER_STATEMENT, _SQLITE_MAX_VARIABLES // len(names))
    found_rows: list[tuple[Any, ...]] = []
    for start in range(0, len(values), per_statement):
        chunk = values[start : start + per_statement]
        flat = tuple(itertools.chain.from_iterable(chunk))
        result = conn.exec_driver_sql(f"{head}{','.join([one] * len(chunk))}{tail}", flat)
        found_rows.extend(tuple(r) for r in result)
    return found_rows


def update_many(
    conn: Connection,
    table: Table,
    key_column: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    shared: Mapping[str, Any] | None = None,
) -> None:
    """Set ``columns`` (and the ``shared`` values) of the row whose ``key_column`` is the first
    value of each of ``rows``, to the values that follow it."""
    if not rows:
        return
    shared = shared or {}
    if conn.dialect.name != "sqlite":
        names = (*columns, *shared)
        bound = [f"b_{name}" for name in (key_column, *names)]
        conn.execute(
            _update_by(table, key_column, names),
            [dict(zip(bound, (*row, *shared.values()), strict=True)) for row in rows],
        )
        return
    key, *values = _bound_columns(conn.dialect, table, (key_column, *columns), rows, shared)
    quote = conn.dialect.identifier_preparer.quote
    assignments = ", ".join(f"{quote(name)} = ?" for name in (*columns, *shared))
    conn.exec_driver_sql(
        f"UPDATE {conn.dialect.identifier_preparer.format_table(table)} SET {assignments}"  # noqa: S608 - names only
        f" WHERE {quote(key_column)} = ?",
        list(zip(*values, key, strict=False)),
    )


@functools.cache
def _update_by(table: Table, key_column: str, names: tuple[str, ...]) -> Update:
    # Bound names carry a b_ prefix: SQLAlchemy reserves column names in UPDATE.
    return (
        table.update()
        .where(table.c[key_column] == bindparam(f"b_{key_column}"))
        .values({name: bindparam(f"b_{name}") for name in names})
    )


def _bound_columns(
    dialect: Dialect,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    shared: Mapping[str, Any],
) -> list[Iterable[Any]]:
    """The values of ``rows``, then the ``shared`` ones, column by column as the driver binds
    them (map and zip run in C); the shared columns, processed once, repeat endlessly."""
    by_column: list[Iterable[Any]] = list(zip(*rows, strict=True))
    for index, name in enumerate(columns):
        process = _processor(dialect, table, name)
        if process:
            by_column[index] = map(process, by_column[index])
    for name, value in shared.items():
        process = _processor(dialect, table, name)
        by_column.append(itertools.repeat(process(value) if process else value))
    return by_column


def _processor(dialect: Dialect, table: Table, name: str) -> Callable[[Any], Any] | None:
    """The bind processor SQLAlchemy applies to values of this column on ``dialect``."""
    processor: Callable[[Any], Any] | None = table.c[name].type._cached_bind_processor(dialect)
    return processor


@functools.cache
def _insert_head(dialect: Dialect, table: Table, names: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    return (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)}"  # noqa: S608 - names only
        f" ({', '.join(quote(name) for name in names)}) VALUES "
    )


@functools.cache
def _conflict_tail(
    dialect: Dialect, conflict_on: tuple[str, ...], returning: tuple[str, ...]
) -> str:
    quote = dialect.identifier_preparer.quote
    tail = ""
    if conflict_on:
        tail += f" ON CONFLICT ({', '.join(quote(name) for name in conflict_on)}) DO NOTHING"
    if returning:
        tail += f" RETURNING {', '.join(quote(name) for name in returning)}"
    return tail
