"""Versioned schema migrations (Alembic), applied at start-up on SQLite and PostgreSQL.

The revision scripts ship inside the package (``versions/``) and run programmatically: no
``alembic.ini`` is needed at run time. :func:`upgrade` brings a database to the newest revision
and is safe when several worker processes start at once: on PostgreSQL a transaction-scoped
advisory lock serializes them (the DDL is transactional, so the losers find the schema current);
on SQLite ``BEGIN IMMEDIATE`` holds the single write lock for the whole upgrade.

Changing ``store/schema.py`` needs a revision; ``python -m kraty_local.migrations --help`` writes
one (or regenerates the baseline while the project is unreleased), and
``tests/local/test_migrations.py`` fails while the migrations and the schema disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.types import TypeDecorator

from kraty_local.store.schema import metadata

VERSIONS_DIR = Path(__file__).parent / "versions"
VERSION_TABLE = "alembic_version"
#: ``pg_advisory_xact_lock`` key of the start-up upgrade ("kraty_db" in ASCII).
ADVISORY_LOCK_KEY = 0x6B72_6174_795F_6462
#: How long a starting worker waits for another one's upgrade on PostgreSQL.
UPGRADE_LOCK_TIMEOUT_SECONDS = 120
UPGRADE_LOCK_TIMEOUT = f"{UPGRADE_LOCK_TIMEOUT_SECONDS}s"


class UnversionedDatabaseError(RuntimeError):
    """The database has Kraty Local tables but no schema version: it predates migrations."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An in-memory Alembic configuration for the packaged scripts, bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", "kraty_local:migrations")
    config.set_main_option("file_template", "rev%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision (creating every table on an empty database).

    Raises :class:`UnversionedDatabaseError` for a database created before schema versioning.
    """
    with engine.connect() as conn, _waiting_long_on_sqlite(conn), conn.begin():
        # SQLite: BEGIN IMMEDIATE, the write lock until commit
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"SET LOCAL lock_timeout = '{UPGRADE_LOCK_TIMEOUT}'"))
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        tables = set(inspect(conn).get_table_names())
        if VERSION_TABLE not in tables and tables & set(metadata.tables):
            raise UnversionedDatabaseError(
                f"{engine.url.render_as_string()} holds Kraty Local tables from before schema "
                "versioning; start Kraty Local on a fresh database."
            )
        if VERSION_TABLE in tables and _current_revisions(conn) == head_revisions():
            return  # already current: skip Alembic's script loading (~15 ms per start)
        command.upgrade(alembic_config(conn), "head")


@contextmanager
def _waiting_long_on_sqlite(conn: Connection) -> Iterator[None]:
    """On SQLite, wait as long for another start-up's upgrade as PostgreSQL does (its busy
    timeout, the requests' few seconds, is too short for a whole migration on a busy machine)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    # On the DBAPI connection: through SQLAlchemy, the PRAGMA would begin a transaction, and
    # every transaction here begins with the write lock.
    raw: Any = conn.connection.dbapi_connection
    (usual,) = raw.execute("PRAGMA busy_timeout").fetchone()
    raw.execute(f"PRAGMA busy_timeout={UPGRADE_LOCK_TIMEOUT_SECONDS * 1000}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(usual)}")


@cache
def head_revisions() -> frozenset[str]:
    """The newest revision(s) of the packaged scripts, read once per process."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def _current_revisions(conn: Connection) -> frozenset[str]:
    return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def render_item(type_: str, obj: Any, _context: AutogenContext) -> str | Literal[False]:
    """Autogenerate hook: write custom column types as their plain SQLAlchemy type.

    Revision scripts then stay independent of the application's Python types (``UtcDateTime``
    only converts values; its DDL is its ``impl``).
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False
