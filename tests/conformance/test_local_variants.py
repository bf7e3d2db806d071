"""(b) Kraty Local accepts the request of either reference, and treats both as the same call.

Where the two references send different requests for one call (``reference.SAMPLES`` with a
``differs`` note), contract section 9 says the server applies the defaults before
fingerprinting and counts a ``null`` optional field as absent: the same call under one key
from either SDK replays instead of answering ``409 idempotency_conflict``. Runs on each engine.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from kraty_admin.testing import KratyLocal
from tests._http import http_lib

from .reference import GENERATED, SAMPLES, Sample

_BODY_VARIANTS = [s for s in SAMPLES if s.body is not None and s.ts_request[1] != s.body]
_PATH_VARIANTS = [s for s in SAMPLES if s.ts_request[0] != s.path]


def _keyed(body: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    if body is None:
        return None
    return {k: key if v == GENERATED else v for k, v in body.items()}


def _player_of(sample: Sample) -> str:
    """The external player id a sample's path names (it must exist for some calls)."""
    parts = sample.path.split("/")
    return unquote(parts[parts.index("players") + 1])


@pytest.mark.parametrize("sample", _BODY_VARIANTS, ids=[s.id for s in _BODY_VARIANTS])
def test_either_references_request_replays_the_other(
    kraty_local: KratyLocal, sample: Sample
) -> None:
    kraty_local.client.wallet.credit(_player_of(sample), "gold", 1)
    python = (sample.path, sample.body)
    ts = sample.ts_request
    with http_lib.Client(
        base_url=kraty_local.base_url,
        headers={"Authorization": f"Bearer {kraty_local.api_key}"},
        timeout=30,
    ) as http:
        # Both orders, each under its own key: the second request must replay the first.
        for order, requests in (("python-then-ts", (python, ts)), ("ts-then-python", (ts, python))):
            key = f"conformance-{sample.id}-{order}"
            first, second = (
                http.request(sample.method, path, json=_keyed(body, key)) for path, body in requests
            )
            assert first.is_success, (order, first.text)
            assert (second.status_code, second.json()) == (first.status_code, first.json()), order
            assert second.headers.get("Idempotent-Replayed") == "true", order


@pytest.mark.parametrize("sample", _PATH_VARIANTS, ids=[s.id for s in _PATH_VARIANTS])
def test_either_references_path_addresses_the_same_player(
    kraty_local: KratyLocal, sample: Sample
) -> None:
    (player,) = sample.args
    kraty_local.client.wallet.credit(player, "gold", 7)
    with http_lib.Client(
        base_url=kraty_local.base_url,
        headers={"Authorization": f"Bearer {kraty_local.api_key}"},
        timeout=30,
    ) as http:
        python, ts = (http.get(path) for path in (sample.path, sample.ts_request[0]))

    assert python.status_code == ts.status_code == 200
    assert python.json() == ts.json()
    assert python.json()["data"]["player"]["externalPlayerId"] == player
