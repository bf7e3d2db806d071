"""``PlayerClient`` sends the TypeScript client's request for every sample call, and the facts
themselves hold together.

The requests are captured on their way to a running Kraty Local (``client_scenario``'s
``OursDriver``), on each engine: the same call the TypeScript client makes must go out with the
same method, path and query, body and headers, save for the explained ``Deviation``s.
"""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from kraty_local.app import create_app
from kraty_local.settings import Settings
from kraty_local.testing import PlayerClient
from tests.conftest import ENGINES

from .client_reference import (
    CLIENT_BODY_HEADERS,
    CLIENT_ENDPOINTS,
    CLIENT_HEADERS,
    CLIENT_REQUESTS,
    CLIENT_SAMPLES,
    SDK_HEADER_DEVIATION,
    SECRET_HEADER,
    ClientSample,
)
from .client_scenario import ClientRun, Exchange, component, fill
from .conftest import client_run_of
from .reference import GENERATED, deviated
from .schema import validate

#: PlayerClient's conveniences that make no request of their own (they read ``wallet()`` /
#: ``inventory()``) or none at all.
_NOT_CALLS = {"balance", "quantity", "close"}


@pytest.fixture(params=ENGINES)
def ours(request: pytest.FixtureRequest) -> ClientRun:
    """The scenario as ``PlayerClient`` plays it, on one engine."""
    return client_run_of(request, str(request.param), "player-client")


def _first(run: ClientRun, sample: ClientSample) -> tuple[Exchange, dict[str, str]]:
    made = run.exchanges.get(sample.id)
    assert made, f"the scenario never called {sample.id}"
    return made[0], run.values[sample.id][0]


def _expected(sample: ClientSample) -> tuple[str, Any]:
    """The TypeScript client's path and body, with the sample's deviations applied."""
    return deviated(sample.path, sample.body, sample.deviations)


def _deviates(sample: ClientSample, header: str) -> bool:
    return any(d.where == f"header:{header}" for d in sample.deviations)


@pytest.mark.parametrize("sample", CLIENT_SAMPLES, ids=[s.id for s in CLIENT_SAMPLES])
def test_player_client_sends_the_client_request(ours: ClientRun, sample: ClientSample) -> None:
    sent, values = _first(ours, sample)
    path, body = _expected(sample)
    expected_path = path.format_map({k: component(v) for k, v in values.items()})
    assert (sent.method, sent.path) == (sample.spec.method, expected_path)
    if body is None:
        assert sent.body is None
        return
    key = sent.body.get("idempotencyKey") if isinstance(sent.body, dict) else None
    if GENERATED in body.values():  # the client makes a UUID4 when the caller gave none
        assert isinstance(key, str), sent.body
        assert uuid.UUID(key).version == 4, sent.body
    assert sent.body == {k: key if v == GENERATED else v for k, v in fill(body, values).items()}


@pytest.mark.parametrize("sample", CLIENT_SAMPLES, ids=[s.id for s in CLIENT_SAMPLES])
def test_player_client_sends_the_client_headers(ours: ClientRun, sample: ClientSample) -> None:
    sent, values = _first(ours, sample)
    expected = {name: v.format(client_key=ours.client_key) for name, v in CLIENT_HEADERS.items()}
    if sample.body is not None:
        expected.update(CLIENT_BODY_HEADERS)
    assert {name: sent.headers.get(name) for name in expected} == expected
    if sample.body is None:
        assert "content-type" not in sent.headers
    # client.ts holds the secret from the player's first register on, and sends it with
    # everything; every sample but that first register comes after it.
    holds_secret = sample.id != "players.register"
    if holds_secret and not _deviates(sample, SECRET_HEADER):
        assert sent.headers.get(SECRET_HEADER) == ours.secret_held(values["player"], sample.id)
    else:
        assert SECRET_HEADER not in sent.headers
    sdk_header = SDK_HEADER_DEVIATION.where.removeprefix("header:")
    assert sdk_header not in sent.headers


# --- the facts themselves ----------------------------------------------------------------------


def _route_shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _served_routes() -> set[tuple[str, str]]:
    """Every ``/sdk/v1`` operation Kraty Local's OpenAPI document lists."""
    paths = create_app(Settings()).openapi()["paths"]
    return {
        (method.upper(), _route_shape(path))
        for path, operations in paths.items()
        if path.startswith("/sdk/v1/")
        for method in operations
    }


def test_every_served_route_is_a_client_method_and_back() -> None:
    """The facts cover exactly the section-10 subset Kraty Local serves."""
    facts = {(e.method, _route_shape(e.route)) for e in CLIENT_ENDPOINTS.values()}
    assert facts == _served_routes()


def _query_names(path: str) -> list[str]:
    query = path.partition("?")[2]
    return [pair.partition("=")[0] for pair in query.split("&")] if query else []


@pytest.mark.parametrize("sample", CLIENT_SAMPLES, ids=[s.id for s in CLIENT_SAMPLES])
def test_sample_requests_follow_their_endpoint(sample: ClientSample) -> None:
    """Route, query (names and order) and body of each sample fit its endpoint's facts."""
    spec = sample.spec
    route = re.escape(spec.route.replace("{externalId}", "{player}"))
    assert re.fullmatch(re.sub(r"\\\{[^}]+\\\}", r"[^/?]+", route), sample.path.partition("?")[0])
    names = _query_names(sample.path)
    assert names == [n for n in spec.query if n in names]
    assert (sample.body is None) == (spec.body is None)
    for _, body in (("ts", sample.body), ("ours", _expected(sample)[1])):
        if body is not None and spec.body is not None:
            assert set(body) <= set(CLIENT_REQUESTS[spec.body])
            assert validate(_sendable(body), spec.body, CLIENT_REQUESTS) == []


def _sendable(body: dict[str, Any]) -> dict[str, Any]:
    """A sample body as it would travel: a key for ``GENERATED``, a time for ``{now}``."""
    return fill(
        {k: "generated-key" if v == GENERATED else v for k, v in body.items()},
        {"now": "2026-06-11T10:00:00.000Z", "other": "p", "friendCode": "ABCDEF"},
    )


def test_sample_deviations_are_explained() -> None:
    places = {"path", "body", f"header:{SECRET_HEADER}"}
    for sample in CLIENT_SAMPLES:
        assert all(d.reason and d.where in places for d in sample.deviations), sample.id
        assert len({d.where for d in sample.deviations}) == len(sample.deviations), sample.id
    assert SDK_HEADER_DEVIATION.reason


def _player_client_calls() -> Iterator[str]:
    for name, _ in inspect.getmembers(PlayerClient, inspect.isfunction):
        if not name.startswith("_") and name not in _NOT_CALLS:
            yield name


def test_every_player_client_call_is_checked_against_the_client() -> None:
    assert {s.ours.name for s in CLIENT_SAMPLES} == set(_player_client_calls())
