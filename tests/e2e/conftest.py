"""End-to-end fixtures: the SDK against a running Kraty Local over real sockets.

Built on the ``kraty_local`` fixture that ``kraty_admin.testing`` ships to studios. Every test
using ``kraty`` runs twice: with ``KratyAdmin``, and with ``KratyAdminAsync`` driven from the
test's thread through an anyio blocking portal, so one scenario suite covers both clients.
Set ``KRATY_TEST_DB_URL`` (e.g. a PostgreSQL URL) to run the scenarios on another database.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from kraty_admin import KratyAdminAsync
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


class _PortalResource:
    """A resource of the async client whose methods block until their coroutine is done."""

    def __init__(self, resource: object, portal: BlockingPortal) -> None:
        self._resource = resource
        self._portal = portal

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._resource, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._portal.call(functools.partial(method, *args, **kwargs))

        return call


class PortalClient:
    """``KratyAdminAsync`` behind the synchronous surface the scenarios are written against."""

    def __init__(self, client: KratyAdminAsync, portal: BlockingPortal) -> None:
        self._client = client
        self._portal = portal

    def __getattr__(self, name: str) -> _PortalResource:
        return _PortalResource(getattr(self._client, name), self._portal)


@pytest.fixture(params=["sync", "async"])
def kraty(request: pytest.FixtureRequest, kraty_local: KratyLocal) -> Iterator[KratyLocal]:
    """The running server handle, its ``client`` a ``KratyAdmin`` or a portal-driven async one."""
    if request.param == "sync":
        yield kraty_local
        return
    with start_blocking_portal() as portal:
        client = kraty_local.make_async_client()
        try:
            yield dataclasses.replace(kraty_local, client=PortalClient(client, portal))  # type: ignore[arg-type]
        finally:
            portal.call(client.aclose)
