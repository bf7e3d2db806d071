"""(c) Our SDK decodes every reference-shaped response, including the references' own fixtures.

For every endpoint: a full body (every field set), one with unknown fields added to every
object (additive API changes must not break installed SDKs: the fields are kept), and one with
the optional fields absent and the nullable ones ``null``. Then every body of the reference
test suites (``reference_bodies.py``) through the matching SDK method.
"""

from __future__ import annotations

from typing import Any

import pytest

from kraty_admin import KratyServerError

from .conftest import Sdk
from .reference import ENDPOINTS, SAMPLES, TYPES, Endpoint, Sample
from .reference_bodies import SUITE_BODIES, SuiteBody
from .schema import EXTRA_FIELD, EXTRA_VALUE, example, validate, with_extras

_FIRST_SAMPLE: dict[str, Sample] = {}
for _sample in SAMPLES:
    _FIRST_SAMPLE.setdefault(_sample.endpoint, _sample)


def _wire_body(spec: Endpoint, data: Any) -> Any:
    return {"data": data} if spec.enveloped else data


def _returned(spec: Endpoint, data: Any) -> Any:
    """What the SDK returns for ``data``: the object itself, or the field it picks."""
    return data[spec.pick] if spec.pick else data


def _variant(spec: Endpoint, variant: str) -> Any:
    if variant == "full":
        return example(spec.wire, TYPES, full=True)
    if variant == "sparse":
        return example(spec.wire, TYPES, full=False)
    return with_extras(example(spec.wire, TYPES, full=True), spec.wire, TYPES)


@pytest.mark.parametrize("variant", ["full", "extras", "sparse"])
@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_sdk_decodes_reference_shaped_answers(sdk: Sdk, name: str, variant: str) -> None:
    spec = ENDPOINTS[name]
    data = _variant(spec, variant)
    if variant != "extras":  # the generated bodies are themselves valid instances
        assert validate(data, spec.wire, TYPES) == []
    sdk.answer_with(spec.status, _wire_body(spec, data))
    sample = _FIRST_SAMPLE[name]

    value = sdk.call(sdk.client(), name, *sample.args, **sample.kwargs)

    assert value == _returned(spec, data)
    if variant == "extras":
        first = value[0] if isinstance(value, list) else value
        assert first[EXTRA_FIELD] == EXTRA_VALUE


@pytest.mark.parametrize("fixture", SUITE_BODIES, ids=[b.source for b in SUITE_BODIES])
def test_sdk_decodes_every_reference_suite_body(sdk: Sdk, fixture: SuiteBody) -> None:
    spec = ENDPOINTS[fixture.endpoint]
    sdk.answer_with(fixture.status, fixture.body)
    client = sdk.client()

    if fixture.error_code is not None:
        with pytest.raises(KratyServerError) as caught:
            sdk.call(client, fixture.endpoint, *fixture.args, **fixture.kwargs)
        assert (caught.value.status, caught.value.code) == (fixture.status, fixture.error_code)
        return
    value = sdk.call(client, fixture.endpoint, *fixture.args, **fixture.kwargs)
    data = fixture.body["data"] if spec.enveloped else fixture.body
    assert value == _returned(spec, data)


@pytest.mark.parametrize(
    "fixture",
    [b for b in SUITE_BODIES if b.complete and b.error_code is None],
    ids=lambda b: b.source,
)
def test_complete_reference_fixtures_fit_the_transcribed_types(fixture: SuiteBody) -> None:
    """Cross-check of ``TYPES`` against ``types.ts``: the references' own fixtures validate."""
    spec = ENDPOINTS[fixture.endpoint]
    data = fixture.body["data"] if spec.enveloped else fixture.body
    assert validate(data, spec.wire, TYPES) == []


def test_every_endpoint_with_a_reference_fixture_is_decoded() -> None:
    """The reference suites cover these endpoints; the generated bodies cover all of them."""
    covered = {b.endpoint for b in SUITE_BODIES}
    assert covered <= set(ENDPOINTS)
    assert {"grants.create", "players.friends", "players.blocks", "health.ping"} <= covered
