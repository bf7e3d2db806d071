"""Fixtures for the conformance suite.

- ``sdk`` drives one client kind (sync or async, parametrized) against a respx-mocked
  transport: it records every request and answers each with a canned response.
- ``kraty_local_database`` hands the ``kraty_local`` fixture (``kraty_admin.testing``) the
  engine-parametrized ``database_target`` of ``tests/conftest.py``, so tests using a running
  Kraty Local run on SQLite and, with ``KRATY_TEST_PG_URL``, PostgreSQL.
- ``client_run_of`` runs the ``/sdk/v1`` client scenario once per engine, driver and process.
"""

from __future__ import annotations

import json
import operator
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import anyio
import pytest
import respx

from kraty_admin import KratyAdmin, KratyAdminAsync, RetryConfig
from kraty_local.clock import FakeClock
from kraty_local.server import LocalServer
from kraty_local.world import default_world
from tests._http import RespxRequest, RespxResponse, http_lib, mock_http
from tests.conftest import empty_postgres

from . import client_scenario
from .client_scenario import ClientRun

API_KEY = "sk_test_conformance.k3y"
BASE_URL = "https://api.conformance.test"
Responder = Callable[[RespxRequest], RespxResponse]
#: One TLS context for every mocked client: loading the CA bundle per client is the slow part
#: of making one, and nothing here reaches the network anyway.
_TLS = ssl.create_default_context()


@dataclass(frozen=True)
class Sent:
    """A request as it went on the wire."""

    method: str
    path: str
    headers: Any  # the respx request's headers (httpx.Headers)
    body: Any


class Sdk:
    """One client kind over a mocked transport: make a call, see what was sent."""

    def __init__(self, kind: str, router: respx.MockRouter) -> None:
        self.kind = kind
        self.sent: list[Sent] = []
        self._router = router
        self._respond: Responder = lambda _request: RespxResponse(200, json={"data": {}})
        self._made: list[KratyAdmin | KratyAdminAsync] = []
        self._http: list[http_lib.Client | http_lib.AsyncClient] = []
        router.route().mock(side_effect=self._record)

    def answer(self, respond: Responder) -> None:
        """Answer every following request with ``respond(request)``."""
        self._respond = respond

    def answer_with(self, status: int, body: Any) -> None:
        """Answer every following request with ``status`` and JSON ``body`` (``None``: empty)."""
        content = b"" if body is None else json.dumps(body).encode()
        headers = {} if body is None else {"Content-Type": "application/json"}
        self.answer(lambda _request: RespxResponse(status, content=content, headers=headers))

    def client(self, **options: Any) -> KratyAdmin | KratyAdminAsync:
        """A client of this kind on the mocked transport; no retries unless asked for.

        Its HTTP client (of ``http_lib``) is passed in (as ``http_client``) only to share one TLS
        context; the SDK sets every header and the timeout per request, so the wire is the same.
        """
        if "http_client" not in options:
            http = (
                http_lib.AsyncClient(verify=_TLS)
                if self.kind == "async"
                else http_lib.Client(verify=_TLS)
            )
            self._http.append(http)
            options["http_client"] = http
        options.setdefault("api_key", API_KEY)
        options.setdefault("base_url", BASE_URL)
        options.setdefault("retry", RetryConfig(attempts=1))
        made = KratyAdminAsync(**options) if self.kind == "async" else KratyAdmin(**options)
        self._made.append(made)
        return made

    def call(
        self, client: KratyAdmin | KratyAdminAsync, endpoint: str, *args: Any, **kwargs: Any
    ) -> Any:
        """Call ``endpoint`` (``"wallet.credit"``) on ``client`` and return its value."""
        method = operator.attrgetter(endpoint)(client)
        if self.kind == "sync":
            return method(*args, **kwargs)

        async def run() -> Any:
            return await method(*args, **kwargs)

        return anyio.run(run)

    def close(self) -> None:
        for made in self._made:
            if isinstance(made, KratyAdminAsync):
                anyio.run(made.aclose)
            else:
                made.close()
        for http in self._http:
            if isinstance(http, http_lib.AsyncClient):
                anyio.run(http.aclose)
            else:
                http.close()

    def _record(self, request: RespxRequest) -> RespxResponse:
        content = request.content
        self.sent.append(
            Sent(
                request.method,
                request.url.raw_path.decode("ascii"),
                request.headers,
                json.loads(content) if content else None,
            )
        )
        return self._respond(request)


@pytest.fixture(params=["sync", "async"])
def sdk(request: pytest.FixtureRequest) -> Iterator[Sdk]:
    """The SDK of one kind (``KratyAdmin`` or ``KratyAdminAsync``) over a recording mock."""
    with mock_http(assert_all_called=False, assert_all_mocked=True) as router:
        made = Sdk(str(request.param), router)
        yield made
        made.close()


@pytest.fixture
def kraty_local_database(database_target: str) -> str:
    """The ``kraty_local`` fixture's database: each engine of ``database_target`` in turn."""
    return database_target


@pytest.fixture(scope="session")
def _client_runs() -> dict[tuple[str, str], ClientRun]:
    return {}


def client_run_of(request: pytest.FixtureRequest, engine: str, driver: str) -> ClientRun:
    """The ``/sdk/v1`` client scenario (``client_scenario``) of one driver on one engine, run
    once per test process on a server of its own that stops as soon as it is done."""
    runs: dict[tuple[str, str], ClientRun] = request.getfixturevalue("_client_runs")
    if (engine, driver) not in runs:
        if engine == "sqlite":
            folder = request.getfixturevalue("tmp_path_factory").mktemp("client-conformance")
            database = str(folder / "kraty-local.sqlite")
        else:
            database = request.getfixturevalue("postgres_url")
            empty_postgres(database)
        clock = FakeClock(datetime.now(timezone.utc), real_intervals=True)
        with LocalServer(db=database, world=default_world(), clock=clock) as server:
            runs[engine, driver] = client_scenario.run(server, driver)
    return runs[engine, driver]
