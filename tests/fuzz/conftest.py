"""A Kraty Local per engine for the fuzzers (a rate limit they cannot hit) and its OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from kraty_local.settings import Settings
from kraty_local.shared_server import Served, SharedServer
from kraty_local.world import RateLimit, default_world
from tests._http import http_lib

from .openapi_cases import KNOWN
from .wire import RawClient


@pytest.fixture
def fuzz_server(kraty_local_shared_server: SharedServer, database_target: str) -> Iterator[Served]:
    """A running Kraty Local on ``database_target`` whose rate limit never answers 429 (this
    test's runtime on the test process's shared server, over its real socket)."""
    world = replace(default_world(), rate_limit=RateLimit(1e9, 10**9))
    settings = Settings(
        database=database_target, world=world, rng_seed=7, webhook_poll_seconds=None
    )
    with kraty_local_shared_server.serving(settings) as running:
        yield running


@pytest.fixture
def openapi(fuzz_server: Served) -> dict[str, Any]:
    """The server's OpenAPI document."""
    return http_lib.get(fuzz_server.base_url + "/openapi.json").json()  # type: ignore[no-any-return]


@pytest.fixture
def sdk_headers(fuzz_server: Served) -> dict[str, str]:
    """The credentials of ``/sdk/v1``: the client key and the secret of the player the
    baselines name (registered here), so mutated requests get past the auth checks."""
    auth = {"Authorization": f"Bearer {fuzz_server.client_key}"}
    answer = http_lib.post(
        f"{fuzz_server.base_url}/sdk/v1/players/{KNOWN['player_id']}/register",
        headers=auth,
        json={"idempotencyKey": "fuzz-register"},
    )
    return {**auth, "X-Player-Secret": answer.json()["data"]["secret"]}


@pytest.fixture
def raw_client(fuzz_server: Served, sdk_headers: dict[str, str]) -> Iterator[RawClient]:
    """An authenticated client that sends paths exactly as given (with the client
    credentials on ``/sdk/v1``)."""
    with RawClient(fuzz_server.host, fuzz_server.port, fuzz_server.api_key, sdk_headers) as client:
        yield client
