"""Retries, backoff and ``Retry-After`` (contract section 1, "Retries"). No time really passes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest
import respx

from kraty_admin import KratyNetworkError, KratyServerError, RetryConfig
from tests._http import http_lib

from .conftest import Clients, error, ok

RETRYABLE = [408, 425, 429, 500, 502, 503, 504]
NOT_RETRYABLE = [400, 401, 403, 404, 409, 422, 501]
NO_JITTER = RetryConfig(attempts=4, initial_delay=0.2, max_delay=10.0, jitter=0)


@pytest.mark.parametrize("status", RETRYABLE)
def test_retryable_status_is_retried_until_success(
    status: int, clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.route().mock(
        side_effect=[error(status, "busy"), error(status, "busy"), ok({"balance": 7})]
    )

    result = clients.invoker(retry=NO_JITTER)("wallet.credit", "p", "gold", 7)

    assert result == {"balance": 7}
    assert route.call_count == 3
    assert sleeps == [0.2, 0.4]


@pytest.mark.parametrize("status", NOT_RETRYABLE)
def test_other_statuses_are_not_retried(
    status: int, clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.route().mock(return_value=error(status, "nope", "no way"))

    with pytest.raises(KratyServerError) as caught:
        clients.invoker(retry=NO_JITTER)("wallet.debit", "p", "gold", 7)

    assert caught.value.status == status
    assert caught.value.code == "nope"
    assert route.call_count == 1
    assert sleeps == []


@pytest.mark.parametrize("attempts", [1, 2, 4, 6])
def test_attempts_counts_every_call_and_the_last_error_is_raised(
    attempts: int, clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    responses = [error(503, "unavailable", f"try {n}") for n in range(1, attempts)]
    responses.append(error(500, "internal_error", "final"))
    route = api.route().mock(side_effect=responses)

    with pytest.raises(KratyServerError) as caught:
        clients.invoker(retry=RetryConfig(attempts=attempts, jitter=0))("players.unban", "p")

    assert route.call_count == attempts
    assert len(sleeps) == attempts - 1
    assert caught.value.status == 500
    assert caught.value.api_message == "final"


def test_rate_limited_after_budget_is_the_last_429(clients: Clients, api: respx.MockRouter) -> None:
    route = api.route().mock(return_value=error(429, "rate_limited", "slow down"))

    with pytest.raises(KratyServerError) as caught:
        clients.invoker(retry=NO_JITTER)("players.get", "p")

    assert caught.value.is_rate_limited
    assert caught.value.status == 429
    assert route.call_count == 4


@pytest.mark.parametrize(
    "failure",
    [
        http_lib.ConnectError("connection refused"),
        http_lib.ConnectTimeout("connect timed out"),
        http_lib.ReadTimeout("read timed out"),
        http_lib.WriteTimeout("write timed out"),
        http_lib.PoolTimeout("pool exhausted"),
        http_lib.ReadError("connection reset by peer"),
        http_lib.WriteError("broken pipe"),
        http_lib.RemoteProtocolError("server disconnected without sending a response"),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_transport_errors_are_retried_then_wrapped(
    failure: http_lib.HTTPError, clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.route().mock(side_effect=failure)

    with pytest.raises(KratyNetworkError) as caught:
        clients.invoker(retry=NO_JITTER)("wallet.credit", "p", "gold", 1)

    assert route.call_count == 4
    assert sleeps == [0.2, 0.4, 0.8]
    assert caught.value.original_cause is failure
    assert caught.value.__cause__ is failure
    assert "4 attempts" in str(caught.value)
    assert type(failure).__name__ in str(caught.value)


def test_transport_error_then_success(
    clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.route().mock(
        side_effect=[http_lib.ConnectError("down"), http_lib.ReadTimeout("slow"), ok({"ok": 1})]
    )

    assert clients.invoker(retry=NO_JITTER)("players.get", "p") == {"ok": 1}
    assert route.call_count == 3
    assert sleeps == [0.2, 0.4]


def test_transport_error_with_one_attempt_is_not_retried(
    clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.route().mock(side_effect=http_lib.ConnectError("down"))

    with pytest.raises(KratyNetworkError) as caught:
        clients.invoker(retry=RetryConfig(attempts=1))("players.get", "p")

    assert route.call_count == 1
    assert sleeps == []
    assert "1 attempt" in str(caught.value)


def test_a_configuration_error_is_not_retried(
    clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.route().mock(side_effect=http_lib.UnsupportedProtocol("no such scheme"))

    with pytest.raises(KratyNetworkError) as caught:
        clients.invoker()("players.get", "p")

    assert route.call_count == 1
    assert sleeps == []
    assert isinstance(caught.value.original_cause, http_lib.UnsupportedProtocol)


def test_mixed_failures_raise_the_last_one(clients: Clients, api: respx.MockRouter) -> None:
    api.route().mock(side_effect=[error(503, "unavailable"), http_lib.ReadTimeout("slow")] * 2)

    with pytest.raises(KratyNetworkError):
        clients.invoker(retry=NO_JITTER)("players.get", "p")

    api.routes.clear()
    api.route().mock(side_effect=[http_lib.ReadTimeout("slow"), error(504, "gateway_timeout")])

    with pytest.raises(KratyServerError) as caught:
        clients.invoker(retry=RetryConfig(attempts=2, jitter=0))("players.get", "p")
    assert caught.value.status == 504


# --------------------------------------------------------------------------- backoff schedule


@pytest.mark.parametrize(
    ("config", "schedule"),
    [
        (RetryConfig(attempts=4, initial_delay=0.2, max_delay=10.0, jitter=0), [0.2, 0.4, 0.8]),
        (RetryConfig(attempts=6, initial_delay=0.5, max_delay=3.0, jitter=0), [0.5, 1, 2, 3, 3]),
        (RetryConfig(attempts=5, initial_delay=1.0, max_delay=1.0, jitter=0), [1.0] * 4),
        (RetryConfig(attempts=3, initial_delay=0.0, max_delay=5.0, jitter=0), [0.0, 0.0]),
    ],
)
def test_backoff_schedule_without_jitter(
    config: RetryConfig,
    schedule: list[float],
    clients: Clients,
    api: respx.MockRouter,
    sleeps: list[float],
) -> None:
    api.route().mock(return_value=error(503, "unavailable"))

    with pytest.raises(KratyServerError):
        clients.invoker(retry=config)("players.unban", "p")

    n = config.attempts - 1
    expected = [min(config.initial_delay * 2 ** (i - 1), config.max_delay) for i in range(1, n + 1)]
    assert sleeps == pytest.approx(expected)
    assert sleeps == pytest.approx(schedule)


@pytest.mark.parametrize(("draw", "factor"), [("low", 0.75), ("high", 1.25), ("mid", 1.0)])
def test_jitter_factor_is_applied(
    draw: str,
    factor: float,
    clients: Clients,
    api: respx.MockRouter,
    sleeps: list[float],
) -> None:
    bounds: list[tuple[float, float]] = []

    def fake_uniform(a: float, b: float) -> float:
        bounds.append((a, b))
        return {"low": a, "high": b, "mid": (a + b) / 2}[draw]

    api.route().mock(return_value=error(500, "internal_error"))
    config = RetryConfig(attempts=5, initial_delay=0.5, max_delay=3.0, jitter=0.25)

    with pytest.raises(KratyServerError):
        clients.invoker(retry=config, uniform=fake_uniform)("players.get", "p")

    assert bounds == [(-0.25, 0.25)] * 4
    assert sleeps == pytest.approx([0.5 * factor, 1.0 * factor, 2.0 * factor, 3.0 * factor])


def test_default_jitter_stays_within_twenty_percent(
    clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    api.route().mock(return_value=error(502, "bad_gateway"))

    for _ in range(10):
        with pytest.raises(KratyServerError):
            clients.invoker()("players.get", "p")

    assert len(sleeps) == 30
    bases = [0.2, 0.4, 0.8] * 10
    ratios = [delay / base for delay, base in zip(sleeps, bases, strict=True)]
    assert all(0.8 <= ratio <= 1.2 for ratio in ratios)
    assert len({round(ratio, 6) for ratio in ratios}) > 1  # jitter is really random


# --------------------------------------------------------------------------- Retry-After


NOW = datetime(2026, 12, 1, 12, 0, 0, tzinfo=timezone.utc)


def frozen_clock() -> float:
    """The injected wall clock: always ``NOW``."""
    return NOW.timestamp()


def _http_date(seconds_from_now: float) -> str:
    return format_datetime(NOW + timedelta(seconds=seconds_from_now), usegmt=True)


def test_retry_after_seconds_replaces_backoff(
    clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    api.route().mock(
        side_effect=[
            error(429, "rate_limited", headers={"Retry-After": "3"}),
            error(503, "unavailable", headers={"Retry-After": "0"}),
            error(503, "unavailable", headers={"Retry-After": "1.5"}),
            ok({}),
        ]
    )

    clients.invoker(retry=NO_JITTER)("players.get", "p")

    assert sleeps == [3.0, 0.0, 1.5]


def test_retry_after_is_capped_at_max_delay(
    clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    api.route().mock(
        side_effect=[
            error(429, "rate_limited", headers={"Retry-After": "120"}),
            error(503, "unavailable", headers={"Retry-After": _http_date(3600)}),
            ok({}),
        ]
    )

    invoke = clients.invoker(retry=RetryConfig(max_delay=4.0, jitter=0.2), clock=frozen_clock)
    invoke("players.get", "p")

    assert sleeps == [4.0, 4.0]


def test_retry_after_http_date(
    clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    api.route().mock(
        side_effect=[
            error(503, "unavailable", headers={"Retry-After": _http_date(6)}),
            error(503, "unavailable", headers={"Retry-After": _http_date(-60)}),
            ok({}),
        ]
    )

    clients.invoker(retry=NO_JITTER, clock=frozen_clock)("players.get", "p")

    assert sleeps == [6.0, 0.0]  # a date in the past means "now"


@pytest.mark.parametrize(
    "garbage",
    ["soon", "", "   ", "-5", "nan", "inf", "1 minute", "Wed, 99 Foo 2015 99:99:99 GMT"],
)
def test_garbage_retry_after_falls_back_to_backoff(
    garbage: str, clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    api.route().mock(
        side_effect=[
            error(503, "unavailable", headers={"Retry-After": garbage}),
            error(503, "unavailable", headers={"Retry-After": garbage}),
            ok({}),
        ]
    )

    clients.invoker(retry=NO_JITTER)("players.get", "p")

    assert sleeps == [0.2, 0.4]


def test_retry_after_on_a_non_retryable_status_is_ignored(
    clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.route().mock(
        return_value=error(400, "validation_failed", headers={"Retry-After": "1"})
    )

    with pytest.raises(KratyServerError):
        clients.invoker()("players.get", "p")

    assert route.call_count == 1
    assert sleeps == []


def test_no_sleep_after_the_last_attempt(
    clients: Clients, api: respx.MockRouter, sleeps: list[float]
) -> None:
    api.route().mock(return_value=error(429, "rate_limited", headers={"Retry-After": "2"}))

    with pytest.raises(KratyServerError):
        clients.invoker(retry=RetryConfig(attempts=3))("players.get", "p")

    assert sleeps == [2.0, 2.0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"attempts": 0},
        {"initial_delay": -1},
        {"max_delay": -0.1},
        {"jitter": -0.1},
        {"jitter": 1.5},
    ],
)
def test_retry_config_rejects_nonsense(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="RetryConfig"):
        RetryConfig(**kwargs)


def test_retry_config_defaults() -> None:
    assert RetryConfig() == RetryConfig(attempts=4, initial_delay=0.2, max_delay=10.0, jitter=0.2)
