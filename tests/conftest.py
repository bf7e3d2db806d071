"""Database engines for the server and end-to-end suites.

``database_target`` is parametrized over ``sqlite`` and, when ``KRATY_TEST_PG_URL`` names a
PostgreSQL server (``.ci/run`` starts one), ``postgresql``: every test that uses it runs on both
engines (select one with ``-k sqlite`` or ``-k postgresql``).

No test pays for the migrations: each pytest-xdist worker migrates one template database per
engine, once, and every test gets a copy of it (SQLite: the template file copied; PostgreSQL:
``CREATE DATABASE ... TEMPLATE``, into this worker's own database). Tests of the migrations
themselves take ``empty_database_target`` instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

# A suite started in the background by a non-interactive shell inherits SIGINT ignored, and so
# would every server and CLI the tests start and then stop with SIGINT, as Ctrl-C does.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

PG_URL_ENV = "KRATY_TEST_PG_URL"
ENGINES = ["sqlite", "postgresql"] if os.environ.get(PG_URL_ENV) else ["sqlite"]


def migrate(target: str) -> None:
    """Bring the database at ``target`` to the newest schema revision and close it."""
    from kraty_local.db import make_engine
    from kraty_local.migrations import upgrade

    engine = make_engine(target)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest schema revision, migrated once per test process.

    Its write-ahead log is checkpointed into the file, so copying the file alone copies it all.
    """
    path = tmp_path_factory.mktemp("template") / "kraty-local.sqlite"
    migrate(str(path))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on the ``KRATY_TEST_PG_URL`` server, to create and drop databases."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from kraty_local.db import database_url

    admin = create_engine(
        make_url(database_url(os.environ[PG_URL_ENV])), isolation_level="AUTOCOMMIT"
    )
    yield admin
    admin.dispose()


def _recreate(admin: Engine, name: str, *, template: str | None = None) -> str:
    """Drop the database ``name`` (ending its sessions) and create it anew, from ``template``
    when given; returns its URL."""
    from sqlalchemy import text

    clause = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    url: URL = admin.url.set(database=name)
    return url.render_as_string(hide_password=False)


def _drop(admin: Engine, name: str) -> None:
    from sqlalchemy import text

    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _worker_database(worker_id: str) -> str:
    return f"kraty_test_{worker_id}"


@pytest.fixture(scope="session")
def postgres_url(worker_id: str, postgres_admin: Engine) -> Iterator[str]:
    """This worker's own database on the ``KRATY_TEST_PG_URL`` server, created on first use."""
    name = _worker_database(worker_id)
    yield _recreate(postgres_admin, name)
    _drop(postgres_admin, name)


@pytest.fixture(scope="session")
def postgres_template(worker_id: str, postgres_admin: Engine) -> Iterator[str]:
    """The name of this worker's PostgreSQL template: migrated once, never connected to after."""
    name = f"kraty_template_{worker_id}"
    migrate(_recreate(postgres_admin, name))
    yield name
    _drop(postgres_admin, name)


def empty_postgres(url: str) -> None:
    """Drop every table (and the schema version) in the database at ``url``."""
    from sqlalchemy import text

    from kraty_local.db import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=ENGINES)
def database_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database of its own for one test: a copy of the migrated template (a SQLite
    file, or this worker's PostgreSQL database recreated from its template)."""
    if request.param == "sqlite":
        path = tmp_path / "kraty-local.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return str(path)
    template: str = request.getfixturevalue("postgres_template")
    admin: Engine = request.getfixturevalue("postgres_admin")
    request.getfixturevalue("postgres_url")  # so that this worker's database is dropped at the end
    return _recreate(
        admin, _worker_database(request.getfixturevalue("worker_id")), template=template
    )


@pytest.fixture(params=ENGINES)
def empty_database_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database for one test (no schema at all): for tests of the migrations."""
    if request.param == "sqlite":
        return str(tmp_path / "kraty-local.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    empty_postgres(url)
    return url
