"""(a) Our SDK sends exactly the reference request for every sample call, with both clients."""

from __future__ import annotations

import inspect
import itertools
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from kraty_admin import KratyAdmin
from kraty_admin._resources._endpoint import Resource
from kraty_admin._resources._endpoint import endpoint as endpoint_descriptor

from .conftest import API_KEY, Sdk
from .reference import (
    BODY_HEADERS,
    COMMON_HEADERS,
    ENDPOINTS,
    GENERATED,
    SAMPLES,
    SDK_HEADER_DEVIATION,
    TYPES,
    Sample,
    deviated,
)
from .schema import example


def _generated_keys() -> Iterator[str]:
    return (f"generated-{n}" for n in itertools.count(1))


def _substitute(value: Any, key: str) -> Any:
    if value == GENERATED:
        return key
    if isinstance(value, dict):
        return {k: _substitute(v, key) for k, v in value.items()}
    return value


def expected_request(sample: Sample) -> tuple[str, dict[str, Any] | None]:
    """The Python reference's path and body, with the sample's deviations applied."""
    return deviated(sample.path, sample.body, sample.deviations)


def _answer_for(sdk: Sdk, sample: Sample) -> None:
    spec = ENDPOINTS[sample.endpoint]
    data = example(spec.wire, TYPES, full=True)
    sdk.answer_with(spec.status, {"data": data} if spec.enveloped else data)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
def test_sdk_sends_the_reference_request(sdk: Sdk, sample: Sample) -> None:
    keys = _generated_keys()
    generated: list[str] = []

    def generate() -> str:
        generated.append(next(keys))
        return generated[-1]

    _answer_for(sdk, sample)
    client = sdk.client(generate_idempotency_key=generate)
    sdk.call(client, sample.endpoint, *sample.args, **sample.kwargs)

    [sent] = sdk.sent
    path, body = expected_request(sample)
    uses_generated = GENERATED in (body or {}).values()
    # A generated key is made exactly once, and only when the caller gave none (as in the
    # Python reference's own tests: the generator never fires when a key is passed).
    assert len(generated) == (1 if uses_generated else 0)
    assert (sent.method, sent.path) == (sample.method, path)
    assert sent.body == _substitute(body, generated[0] if generated else "")


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
def test_sdk_sends_the_reference_headers(sdk: Sdk, sample: Sample) -> None:
    _answer_for(sdk, sample)
    sdk.call(sdk.client(), sample.endpoint, *sample.args, **sample.kwargs)

    [sent] = sdk.sent
    expected = {name: value.format(api_key=API_KEY) for name, value in COMMON_HEADERS.items()}
    if sample.body is not None:
        expected.update(BODY_HEADERS)
    assert {name: sent.headers.get(name) for name in expected} == expected
    if sample.body is None:
        assert "content-type" not in sent.headers
    sdk_header = SDK_HEADER_DEVIATION.where.removeprefix("header:")
    assert sent.headers[sdk_header].startswith(SDK_HEADER_DEVIATION.ours)


@pytest.mark.parametrize(
    "sample",
    [s for s in SAMPLES if s.body and GENERATED in s.body.values()],
    ids=lambda s: s.id,
)
def test_default_generated_key_is_a_uuid4(sdk: Sdk, sample: Sample) -> None:
    """Contract section 1 (and both references' defaults): the generated key is a UUID4."""
    _answer_for(sdk, sample)
    sdk.call(sdk.client(), sample.endpoint, *sample.args, **sample.kwargs)

    [sent] = sdk.sent
    assert uuid.UUID(sent.body["idempotencyKey"]).version == 4


# --- the facts themselves ----------------------------------------------------------------------


def _sdk_endpoints() -> set[str]:
    """Every endpoint method of the sync client (the async one has the same surface)."""
    probe = KratyAdmin(api_key="probe", base_url="https://probe.invalid")
    try:
        names = set()
        for resource_name in dir(probe):  # the namespaces are built on first access
            if resource_name.startswith("_"):
                continue
            resource = getattr(probe, resource_name)
            if not isinstance(resource, Resource):
                continue
            for name, attr in inspect.getmembers(type(resource)):
                if isinstance(attr, endpoint_descriptor):
                    names.add(f"{resource_name}.{name}")
        return names
    finally:
        probe.close()


def test_every_sdk_endpoint_has_reference_facts() -> None:
    assert _sdk_endpoints() == set(ENDPOINTS)


def test_every_endpoint_has_a_sample_call() -> None:
    assert {s.endpoint for s in SAMPLES} == set(ENDPOINTS)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
def test_reference_differences_are_explained(sample: Sample) -> None:
    """A sample notes why the references differ exactly when their requests differ."""
    differs = sample.ts_request != (sample.path, sample.body)
    assert bool(sample.differs) == differs
    assert all(d.reason for d in sample.deviations)
