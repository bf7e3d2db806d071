"""Database engines for the server and end-to-end suites.

``database_target`` is parametrized over ``sqlite`` and, when ``KRATY_TEST_PG_URL`` names a
PostgreSQL server (``.ci/run`` starts one), ``postgresql``: every test that uses it runs on both
engines (select one with ``-k sqlite`` or ``-k postgresql``). Each pytest-xdist worker gets its own
PostgreSQL database, emptied before every test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_URL_ENV = "KRATY_TEST_PG_URL"
ENGINES = ["sqlite", "postgresql"] if os.environ.get(PG_URL_ENV) else ["sqlite"]


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """This worker's own database on the ``KRATY_TEST_PG_URL`` server, created on first use."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from kraty_local.db import database_url

    server = make_url(database_url(os.environ[PG_URL_ENV]))
    name = f"kraty_test_{worker_id}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


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
    """An empty database for one test: a fresh SQLite file, or this worker's emptied PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "kraty-local.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    empty_postgres(url)
    return url
