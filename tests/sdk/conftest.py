"""Shared fixtures for the SDK unit tests.

Every test that drives a client takes the ``clients`` fixture (or ``invoke``), which is
parametrized over the sync and the async client: a test is written once and runs twice.

- ``invoke("wallet.credit", "p", "gold", amount=5)`` calls the method on a default client of the
  current kind and returns its value (the async client's coroutine is run with ``anyio.run``).
- ``clients.invoker(retry=...)`` builds a client with other options and returns an invoker
  for it (``invoker.client`` is the client itself).
- ``api`` is the respx router; nothing reaches the network.
- ``sleeps`` records every retry delay: clients get a recording ``sleep=``, so no test waits
  and nothing is patched.

``clients`` pulls in ``api``, ``sleeps`` and a clean environment (no ``KRATY_*`` variables), so
any test that builds a client is isolated.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import pytest
import respx

from kraty_admin import KratyAdmin, KratyAdminAsync
from tests._http import RespxRequest, RespxResponse, http_lib, mock_http

API_KEY = "sk_test_Zq8vL2secretK3y"
BASE_URL = "https://api.test"

Client = KratyAdmin | KratyAdminAsync
CallSpec = tuple[str, Sequence[Any], dict[str, Any]]


class Invoker:
    """Calls resource methods on one client, by dotted name, and returns their values."""

    def __init__(self, clients: Clients, client: Client) -> None:
        self.clients = clients
        self.client = client

    def __call__(self, resource_path: str, *args: Any, **kwargs: Any) -> Any:
        return self.clients.call(self.client, resource_path, *args, **kwargs)


class Clients:
    """Builds and drives clients of one kind (``"sync"`` or ``"async"``)."""

    def __init__(self, kind: str, sleeps: list[float]) -> None:
        self.kind = kind
        self.sleeps = sleeps
        self._made: list[Client] = []

    @property
    def is_async(self) -> bool:
        return self.kind == "async"

    @property
    def client_class(self) -> type[Client]:
        return KratyAdminAsync if self.is_async else KratyAdmin

    def new(self, **options: Any) -> Any:
        """A client of this kind; ``api_key`` and ``base_url`` default to the test values.

        Unless ``sleep`` is given, the client's retry waits are recorded in ``sleeps``.
        """
        options.setdefault("api_key", API_KEY)
        options.setdefault("base_url", BASE_URL)
        options.setdefault("sleep", self._async_sleep if self.is_async else self.sleeps.append)
        client = self.client_class(**options)
        self._made.append(client)
        return client

    async def _async_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def invoker(self, **options: Any) -> Invoker:
        return Invoker(self, self.new(**options))

    def call(self, client: Client, resource_path: str, *args: Any, **kwargs: Any) -> Any:
        method = operator.attrgetter(resource_path)(client)
        if not self.is_async:
            return method(*args, **kwargs)

        async def run() -> Any:
            return await method(*args, **kwargs)

        return anyio.run(run)

    def http_client(self, **options: Any) -> Any:
        """A caller-owned client of the HTTP library in use (``http_lib``), of the matching kind."""
        return http_lib.AsyncClient(**options) if self.is_async else http_lib.Client(**options)

    def close_http(self, http: Any) -> None:
        """Close an HTTP client of either kind (``aclose`` for async ones)."""
        if hasattr(http, "aclose"):
            anyio.run(http.aclose)
        else:
            http.close()

    def close(self, client: Client) -> None:
        if isinstance(client, KratyAdminAsync):
            anyio.run(client.aclose)
        else:
            client.close()

    def within(self, client: Client, resource_path: str, *args: Any, **kwargs: Any) -> Any:
        """Enter the client's (async) context manager, make one call, exit; return both."""
        if isinstance(client, KratyAdminAsync):

            async def run() -> Any:
                async with client as entered:
                    method = operator.attrgetter(resource_path)(entered)
                    return entered, await method(*args, **kwargs)

            return anyio.run(run)
        with client as entered:
            method = operator.attrgetter(resource_path)(entered)
            return entered, method(*args, **kwargs)

    def concurrently(self, client: Client, calls: Sequence[CallSpec]) -> list[Any]:
        """Make all ``calls`` at once: one thread each (sync) or one task each (async)."""
        if isinstance(client, KratyAdminAsync):
            results: list[Any] = [None] * len(calls)

            async def one(index: int, spec: CallSpec) -> None:
                name, args, kwargs = spec
                results[index] = await operator.attrgetter(name)(client)(*args, **kwargs)

            async def run() -> None:
                async with anyio.create_task_group() as tg:
                    for index, spec in enumerate(calls):
                        tg.start_soon(one, index, spec)

            anyio.run(run)
            return results
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            futures = [
                pool.submit(operator.attrgetter(name)(client), *args, **kwargs)
                for name, args, kwargs in calls
            ]
            return [future.result(timeout=10) for future in futures]

    def rendezvous(
        self, parties: int, respond: Callable[[RespxRequest], RespxResponse]
    ) -> Callable[[RespxRequest], Any]:
        """A respx side effect that answers only once ``parties`` requests are in flight."""
        if not self.is_async:
            barrier = threading.Barrier(parties, timeout=5)

            def sync_effect(request: RespxRequest) -> RespxResponse:
                barrier.wait()
                return respond(request)

            return sync_effect

        arrived = 0
        everyone: list[anyio.Event] = []

        async def async_effect(request: RespxRequest) -> RespxResponse:
            nonlocal arrived
            if not everyone:
                everyone.append(anyio.Event())
            arrived += 1
            if arrived == parties:
                everyone[0].set()
            with anyio.fail_after(5):
                await everyone[0].wait()
            return respond(request)

        return async_effect

    def close_all(self) -> None:
        for client in self._made:
            self.close(client)


@pytest.fixture(params=["sync", "async"])
def client_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clients(
    client_kind: str, api: respx.MockRouter, sleeps: list[float], clean_env: None
) -> Iterator[Clients]:
    """Builds clients of the current kind; respx, sleep recording and a clean env are in force."""
    made = Clients(client_kind, sleeps)
    yield made
    made.close_all()


@pytest.fixture
def kraty(clients: Clients) -> Any:
    """A client of the current kind with the test key and base URL."""
    return clients.new()


@pytest.fixture
def invoke(clients: Clients, kraty: Client) -> Invoker:
    return Invoker(clients, kraty)


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """The respx router for every test: unmatched requests fail, nothing reaches the network."""
    with mock_http(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def sleeps() -> list[float]:
    """The retry delays of the clients built through ``clients``, in order."""
    return []


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests set ``KRATY_SERVER_KEY`` / ``KRATY_BASE_URL`` themselves when they want them."""
    monkeypatch.delenv("KRATY_SERVER_KEY", raising=False)
    monkeypatch.delenv("KRATY_BASE_URL", raising=False)


def ok(data: Any, status: int = 200, **kwargs: Any) -> RespxResponse:
    """A success response in the ``{"data": ...}`` envelope."""
    return RespxResponse(status, json={"data": data}, **kwargs)


def error(
    status: int, code: str, message: str = "nope", details: Any = None, **kwargs: Any
) -> RespxResponse:
    """An error response in the ``{"error": {...}}`` envelope."""
    body = {"error": {"code": code, "message": message, "details": details}}
    return RespxResponse(status, json=body, **kwargs)
