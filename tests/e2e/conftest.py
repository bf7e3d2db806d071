"""End-to-end fixtures: the SDK against a running Kraty Local over real sockets.

Built on the ``kraty_local`` fixture that ``kraty_admin.testing`` ships to studios, on each engine
of ``database_target`` (SQLite, and PostgreSQL when ``KRATY_TEST_PG_URL`` is set).
"""

from __future__ import annotations

import pytest

from kraty_admin.testing import KratyLocal


@pytest.fixture
def kraty_local_database(database_target: str) -> str:
    """A fresh SQLite file, or an emptied PostgreSQL database."""
    return database_target


@pytest.fixture
def kraty(kraty_local: KratyLocal) -> KratyLocal:
    """Short name for the running server handle (``kraty.client`` is a ``KratyAdmin``)."""
    return kraty_local
