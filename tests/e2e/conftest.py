"""End-to-end fixtures: the SDK against a running Kraty Local.

Built on the ``kraty_local`` fixture that ``kraty_admin.testing`` ships to studios. Every test
using ``kraty`` runs twice: with ``KratyAdmin``, and with ``KratyAdminAsync`` driven from the
test's thread through an anyio blocking portal, so one scenario suite covers both clients, and
on each engine of ``database_target`` (``tests/conftest.py``: a copy of a migrated SQLite file,
and a PostgreSQL database cloned from a migrated template when ``KRATY_TEST_PG_URL`` is set).

``kraty.client`` talks to the app in-process (``kraty_local.inprocess``: the HTTP
library's ``ASGITransport``, and ``PortalTransport`` for the sync client); tests marked
``@pytest.mark.socket`` (a smoke subset) take it over the real socket instead, as does whatever
goes through ``kraty_local.client``, ``make_client``, ``base_url`` or the CLI.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from kraty_admin import KratyAdmin, KratyAdminAsync
from kraty_admin.testing import KratyLocal
from kraty_local.inprocess import PortalTransport
from tests._http import http_lib


@pytest.fixture
def kraty_local_database(database_target: str) -> str:
    """The ``kraty_local`` fixture's database: each engine of ``database_target`` in turn."""
    return database_target


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
    """The running server handle, its ``client`` a ``KratyAdmin`` or a portal-driven async one,
    in-process unless the test is marked ``socket``."""
    over_socket = request.node.get_closest_marker("socket") is not None
    app = kraty_local.server.app
    options: dict[str, Any] = {"api_key": kraty_local.api_key, "base_url": kraty_local.base_url}
    with start_blocking_portal() as portal:
        if request.param == "sync":
            if over_socket:
                yield kraty_local
                return
            http = http_lib.Client(transport=PortalTransport(app, portal))
            with http, KratyAdmin(http_client=http, **options) as client:
                yield dataclasses.replace(kraty_local, client=client)
            return
        if over_socket:
            async_client = kraty_local.make_async_client()
        else:
            async_http = http_lib.AsyncClient(transport=http_lib.ASGITransport(app=app))
            async_client = KratyAdminAsync(http_client=async_http, **options)
        try:
            yield dataclasses.replace(kraty_local, client=PortalClient(async_client, portal))  # type: ignore[arg-type]
        finally:
            portal.call(async_client.aclose)
            if not over_socket:
                portal.call(async_http.aclose)
