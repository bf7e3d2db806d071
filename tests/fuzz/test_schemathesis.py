"""Schemathesis against a running Kraty Local, per engine: no 5xx, no answer off its schema.

A fixed seed and a per-operation budget keep each engine's run to about half a minute on two
cores, split in two tests (one per generation mode) that run side by side under pytest-xdist.
Every operation gets positive cases (what the schema allows) and negative ones (what it does
not); failures are collected, not shrunk, so the assertion reports how many there were.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from kraty_local.api_sdk import SDK_PREFIX
from kraty_local.server import LocalServer

from .openapi_cases import KNOWN

#: Cases per operation and generation mode.
BUDGET = 6
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    fuzz_server: LocalServer, sdk_headers: dict[str, str], mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_url(fuzz_server.base_url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    strategy = st.one_of(op.as_strategy(generation_mode=mode) for op in operations)
    headers = {"Authorization": f"Bearer {fuzz_server.api_key}"}
    failures: list[str] = []

    with requests.Session() as session:

        @seed(20261201)
        @settings(
            max_examples=BUDGET * len(operations),
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def run(case: Any) -> None:
            sent = headers
            if case.path.startswith(SDK_PREFIX + "/"):
                sent = sdk_headers
                if case.path_parameters and "player_id" in case.path_parameters:
                    # the registered player: a made-up one stops at 401 before the body is read
                    case.path_parameters["player_id"] = KNOWN["player_id"]
            response = case.call(base_url=fuzz_server.base_url, session=session, headers=sent)
            try:
                case.validate_response(response, checks=CHECKS)
            except (AssertionError, FailureGroup) as exc:
                failures.append(f"{case.method} {case.formatted_path}: {exc}"[:500])

        run()
    assert failures == [], f"{len(failures)} failures:\n" + "\n".join(failures[:20])
