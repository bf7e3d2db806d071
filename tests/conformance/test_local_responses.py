"""(b) Every Kraty Local answer validates against the reference response type, on each engine.

The scenario (``local_scenario.py``) runs once per engine and test process; each endpoint is then
checked on its own, so a failure names the endpoint and every field that departs from the
facts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from kraty_local.clock import FakeClock
from kraty_local.server import LocalServer
from kraty_local.world import default_world
from tests.conftest import ENGINES, empty_postgres

from . import local_scenario
from .local_scenario import ERROR_CASES, Answers, ErrorCase
from .reference import ENDPOINTS, TYPES
from .schema import validate

#: Lists the scenario fills on purpose, so that their elements are validated too:
#: endpoint -> the lists (of the ``data`` object) at least one answer must have non-empty.
FILLED: dict[str, dict[str, Callable[[Any], Any]]] = {
    "players.get": {
        "inventory": lambda d: d["inventory"],
        "wallet": lambda d: d["wallet"],
        "recentGrants": lambda d: d["recentGrants"],
    },
    "players.export": {
        name: (lambda n: lambda d: d[n])(name)
        for name in ("attempts", "grants", "inventory", "wallet", "lobbies")
    },
    "players.friends": {"friends": lambda d: d["friends"]},
    "players.friend_requests": {
        "incoming": lambda d: d["incoming"],
        "outgoing": lambda d: d["outgoing"],
    },
    "players.blocks": {"blocked": lambda d: d["blocked"]},
    "events.report_progress": {
        "milestonesFired[].grants": lambda d: [g for m in d["milestonesFired"] for g in m["grants"]]
    },
    "migrate.wallet": {"failures": lambda d: d["failures"]},
    "migrate.inventory": {"failures": lambda d: d["failures"]},
}


@pytest.fixture(scope="session")
def _answers_by_engine() -> dict[str, Answers]:
    return {}


@pytest.fixture(params=ENGINES)
def answers(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _answers_by_engine: dict[str, Answers],
) -> Answers:
    """Every answer of the scenario on this engine, run once per engine and test process.

    The server stops as soon as the scenario is done: only its answers are kept, so nothing
    holds the engine's database while other tests use it.
    """
    engine = str(request.param)
    if engine not in _answers_by_engine:
        if engine == "sqlite":
            database = str(tmp_path_factory.mktemp("conformance") / "kraty-local.sqlite")
        else:
            database = request.getfixturevalue("postgres_url")
            empty_postgres(database)
        clock = FakeClock(datetime.now(timezone.utc), real_intervals=True)
        with LocalServer(db=database, world=default_world(), clock=clock) as server:
            _answers_by_engine[engine] = local_scenario.run(server, clock)
    return _answers_by_engine[engine]


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_kraty_local_answers_fit_the_reference_types(answers: Answers, name: str) -> None:
    spec = ENDPOINTS[name]
    driven = answers.by_endpoint.get(name, [])
    assert driven, f"the scenario never called {name}"
    problems: list[str] = []
    for number, answer in enumerate(driven, 1):
        label = f"{name} call {number}"
        if answer.failure is not None or answer.status is None or answer.status >= 300:
            problems.append(f"{label}: HTTP {answer.status}: {answer.failure} {answer.body!r}")
            continue
        if spec.enveloped and not (isinstance(answer.body, dict) and "data" in answer.body):
            problems.append(f"{label}: no data envelope: {answer.body!r}")
            continue
        data = answer.body["data"] if spec.enveloped else answer.body
        problems.extend(f"{label}: {p}" for p in validate(data, spec.wire, TYPES))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(FILLED))
def test_the_scenario_fills_the_lists_it_validates(answers: Answers, name: str) -> None:
    """No list is validated vacuously: each one here held rows in at least one answer."""
    bodies = [
        a.body["data"]
        for a in answers.by_endpoint.get(name, [])
        if a.failure is None and isinstance(a.body, dict) and isinstance(a.body.get("data"), dict)
    ]
    empty = []
    for label, pick in FILLED[name].items():
        try:
            filled = any(pick(body) for body in bodies)
        except (KeyError, TypeError):
            filled = False
        if not filled:
            empty.append(label)
    assert not empty, f"{name}: never held rows: {empty}"


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.label for c in ERROR_CASES])
def test_kraty_local_refuses_as_the_references_document(answers: Answers, case: ErrorCase) -> None:
    answer = answers.errors[case.label]
    assert (answer.status, _code(answer.body)) == (case.status, case.code), answer.body
    assert validate(answer.body, "ErrorEnvelope", TYPES) == []


def _code(body: Any) -> Any:
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None
