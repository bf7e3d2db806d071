"""Every `/sdk/v1` answer of a running Kraty Local fits the TypeScript client SDK's types, on
each engine.

The client scenario (``client_scenario.py``) runs per engine with two drivers: one sends the
TypeScript client's exact requests (so these tests also prove Kraty Local accepts each of them,
with the success status the client expects), the other makes the same calls with
``PlayerClient``. Each sample call is then checked on its own, so a failure names the call and
every field that departs from the facts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ENGINES

from .client_reference import (
    CLIENT_ENDPOINTS,
    CLIENT_REFUSALS,
    CLIENT_SAMPLES,
    CLIENT_TYPES,
    ClientRefusal,
    ClientSample,
)
from .client_scenario import DRIVERS, ClientRun
from .conftest import client_run_of
from .reference import TYPES
from .schema import validate

_RUNS = [(engine, driver) for engine in ENGINES for driver in DRIVERS]

#: Lists the scenario fills on purpose, so that their elements are validated too, and optional
#: or nullable parts it makes present: endpoint -> what at least one answer must hold.
FILLED: dict[str, dict[str, Callable[[Any], Any]]] = {
    "grants.listPending": {"data": lambda d: d},
    "wallet.list": {"wallet": lambda d: d["wallet"]},
    "inventory.list": {"items": lambda d: d["items"]},
    "events.listForPlayer": {
        "data": lambda d: d,
        "currentAttemptId": lambda d: [e for e in d if e["currentAttemptId"]],
        "milestoneRewards[].entries": lambda d: [
            entry for e in d for m in e.get("milestoneRewards", []) for entry in m["entries"]
        ],
    },
    "events.progress": {
        "milestonesFired[].grants": lambda d: [g for m in d["milestonesFired"] for g in m["grants"]]
    },
    "leaderboards.read": {"entries": lambda d: d["entries"], "self": lambda d: d["self"]},
    "eventLeaderboards.read": {"entries": lambda d: d["entries"], "self": lambda d: d["self"]},
    "players.getIdentity": {"displayIdentity": lambda d: d["displayIdentity"]},
    "friends.add": {"request": lambda d: d.get("request"), "friend": lambda d: d.get("friend")},
    "friends.listRequests": {
        "incoming": lambda d: d["incoming"],
        "outgoing": lambda d: d["outgoing"],
    },
    "friends.search": {"results": lambda d: d["results"]},
    "friends.list": {"friends": lambda d: d["friends"]},
    "friends.listBlocks": {"blocked": lambda d: d["blocked"]},
}


@pytest.fixture(params=_RUNS, ids=[f"{engine}-{driver}" for engine, driver in _RUNS])
def client_run(request: pytest.FixtureRequest) -> ClientRun:
    """The scenario of one driver on one engine."""
    engine, driver = request.param
    return client_run_of(request, engine, driver)


@pytest.mark.parametrize("sample", CLIENT_SAMPLES, ids=[s.id for s in CLIENT_SAMPLES])
def test_kraty_local_answers_fit_the_client_types(
    client_run: ClientRun, sample: ClientSample
) -> None:
    made = client_run.exchanges.get(sample.id, [])
    assert made, f"the scenario never called {sample.id}"
    spec = sample.spec
    problems: list[str] = []
    for number, exchange in enumerate(made, 1):
        label = f"{sample.id} call {number}"
        if exchange.status != spec.status:
            status = f"HTTP {exchange.status}, not {spec.status}"
            problems.append(f"{label}: {status}: {exchange.answer!r}")
            continue
        if not (isinstance(exchange.answer, dict) and "data" in exchange.answer):
            problems.append(f"{label}: no data envelope: {exchange.answer!r}")
            continue
        problems.extend(f"{label}: {p}" for p in validate(exchange.data, spec.wire, CLIENT_TYPES))
        if spec.pick is not None and spec.pick not in exchange.data:
            problems.append(f"{label}: no {spec.pick!r} for the client to return")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("endpoint", sorted(FILLED))
def test_the_scenario_fills_what_it_validates(client_run: ClientRun, endpoint: str) -> None:
    """No list is validated vacuously, and optional parts were present at least once."""
    bodies = [
        exchange.data
        for sample in CLIENT_SAMPLES
        if sample.endpoint == endpoint
        for exchange in client_run.exchanges.get(sample.id, [])
        if exchange.status < 300
    ]
    empty = [label for label, pick in FILLED[endpoint].items() if not any(map(pick, bodies))]
    assert not empty, f"{endpoint}: never held anything: {empty}"


def test_every_endpoint_has_a_sample_call() -> None:
    assert {sample.endpoint for sample in CLIENT_SAMPLES} == set(CLIENT_ENDPOINTS)


@pytest.mark.parametrize("refusal", CLIENT_REFUSALS, ids=[r.label for r in CLIENT_REFUSALS])
def test_kraty_local_refuses_as_the_client_documents(
    client_run: ClientRun, refusal: ClientRefusal
) -> None:
    """errors.ts's envelope (the server SDKs' too), with the status and code the client's
    documentation names."""
    made = client_run.refusals[refusal.label]
    error = made.answer.get("error") if isinstance(made.answer, dict) else None
    assert (made.status, error and error.get("code")) == (refusal.status, refusal.code), made
    assert validate(made.answer, "ErrorEnvelope", TYPES) == []


_KEYED = [s for s in CLIENT_SAMPLES if s.body is not None and s.id != "players.register/force"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("sample", _KEYED, ids=[s.id for s in _KEYED])
def test_a_write_the_client_retries_replays_its_first_answer(
    request: pytest.FixtureRequest, engine: str, sample: ClientSample
) -> None:
    """Section 3 on /sdk/v1: the same key and body again answer what the first did, from the
    store (an ``applied`` flag then says ``false``); a register is never replayed (section
    10), its retry says it is done."""
    pairs = client_run_of(request, engine, "ts-request").retries.get(sample.id)
    assert pairs, f"the scenario never called {sample.id}"
    for first, again in pairs:
        if sample.endpoint == "players.register":
            code = again.answer["error"]["code"] if isinstance(again.answer, dict) else None
            assert (again.status, code) == (409, "player_already_registered")
        else:
            expected = (first.status, _as_replayed(first.answer), True)
            assert (again.status, again.answer, again.replayed) == expected


def _as_replayed(answer: dict[str, Any]) -> dict[str, Any]:
    """The first answer as a replay says it: an ``applied`` flag in ``data`` is ``false``."""
    data = answer["data"]
    if isinstance(data, dict) and "applied" in data:
        return {**answer, "data": {**data, "applied": False}}
    return answer
