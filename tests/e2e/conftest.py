"""End-to-end fixtures: the SDK against a running Kraty Local over real sockets.

Built on the ``kraty_local`` fixture that ``kraty_admin.testing`` ships to studios. Set
``KRATY_TEST_DB_URL`` (e.g. a PostgreSQL URL) to run the same scenarios on another database.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kraty_admin.testing import KratyLocal


@pytest.fixture
def kraty_local_database(tmp_path: Path) -> str:
    """A fresh SQLite file, or the emptied database at ``KRATY_TEST_DB_URL``."""
    url = os.environ.get("KRATY_TEST_DB_URL")
    if not url:
        return str(tmp_path / "kraty-local.sqlite")
    from kraty_local.db import make_engine
    from kraty_local.store.schema import metadata

    engine = make_engine(url)
    metadata.drop_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def kraty(kraty_local: KratyLocal) -> KratyLocal:
    """Short name for the running server handle (``kraty.client`` is a ``KratyAdmin``)."""
    return kraty_local
