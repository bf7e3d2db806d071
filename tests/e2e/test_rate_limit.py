"""The per-key rate limit through the SDK: a typed 429, and retries that honour Retry-After."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kraty_admin import KratyServerError, RequestInfo, RetryConfig
from kraty_admin.testing import KratyLocal
from kraty_local.world import RateLimit, World, default_world


@pytest.fixture
def kraty_local_world() -> World:
    """A request every two seconds, burst of two: slow enough that the bucket stays empty
    while a loaded machine (or PostgreSQL) takes its time over the requests."""
    return replace(default_world(), rate_limit=RateLimit(requests_per_second=0.5, burst=2))


def test_limit_exhausted_without_retries_is_rate_limited(kraty_local: KratyLocal) -> None:
    client = kraty_local.make_client(retry=RetryConfig(attempts=1))
    client.health.ping()
    client.health.ping()
    with pytest.raises(KratyServerError) as caught:
        client.health.ping()
    assert caught.value.is_rate_limited
    assert caught.value.status == 429


def test_retries_wait_as_the_server_asks_and_succeed(kraty_local: KratyLocal) -> None:
    attempts: list[RequestInfo] = []
    client = kraty_local.make_client(
        retry=RetryConfig(attempts=4, max_delay=2.0), on_request=attempts.append
    )
    for _ in range(3):
        client.wallet.credit("p", "gold", 1)
    statuses = [info.status for info in attempts]
    assert 429 in statuses
    assert statuses[-1] == 200
    assert client.players.get("p")["wallet"][0]["balance"] == 3
