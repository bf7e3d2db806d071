"""The ``on_request`` hook: once per HTTP attempt, retries included (contract section 1)."""

from __future__ import annotations

import logging

import pytest
import respx

from kraty_admin import KratyNetworkError, KratyServerError, RequestInfo, RetryConfig
from tests._http import RespxResponse, http_lib

from .conftest import Clients, error, ok

URL = "https://api.test/server/v1/players/p%2Fq/wallet/gold/credit"


def test_one_record_per_attempt_with_every_field(clients: Clients, api: respx.MockRouter) -> None:
    api.route().mock(
        side_effect=[error(503, "unavailable"), http_lib.ConnectError("reset"), ok({"balance": 1})]
    )
    infos: list[RequestInfo] = []
    invoke = clients.invoker(on_request=infos.append, retry=RetryConfig(jitter=0))

    invoke("wallet.credit", "p/q", "gold", 1, idempotency_key="rcpt")

    assert [(i.attempt, i.status, i.ok) for i in infos] == [
        (1, 503, False),
        (2, None, False),
        (3, 200, True),
    ]
    for info in infos:
        assert isinstance(info, RequestInfo)
        assert info.method == "POST"
        assert info.url == URL
        assert info.idempotency_key == "rcpt"
        assert isinstance(info.duration_ms, float)
        assert info.duration_ms >= 0


def test_generated_key_is_reported_and_stable(clients: Clients, api: respx.MockRouter) -> None:
    api.route().mock(side_effect=[error(500, "internal_error"), ok({})])
    infos: list[RequestInfo] = []
    invoke = clients.invoker(on_request=infos.append, generate_idempotency_key=lambda: "gen-7")

    invoke("players.unban", "p")

    assert [i.idempotency_key for i in infos] == ["gen-7", "gen-7"]


def test_get_reports_no_key(clients: Clients, api: respx.MockRouter) -> None:
    api.route().mock(return_value=RespxResponse(200, json={"ok": True}))
    infos: list[RequestInfo] = []

    clients.invoker(on_request=infos.append)("health.ping")

    [info] = infos
    assert (info.method, info.url, info.attempt, info.idempotency_key, info.status, info.ok) == (
        "GET",
        "https://api.test/server/v1/ping",
        1,
        None,
        200,
        True,
    )


def test_final_failures_are_reported_too(clients: Clients, api: respx.MockRouter) -> None:
    api.route().mock(side_effect=[error(404, "not_found"), http_lib.ReadTimeout("slow")])
    infos: list[RequestInfo] = []
    invoke = clients.invoker(on_request=infos.append, retry=RetryConfig(attempts=1))

    with pytest.raises(KratyServerError):
        invoke("players.get", "p")
    with pytest.raises(KratyNetworkError):
        invoke("players.get", "p")

    assert [(i.attempt, i.status, i.ok) for i in infos] == [(1, 404, False), (1, None, False)]


def test_2xx_statuses_are_ok(clients: Clients, api: respx.MockRouter) -> None:
    api.route().mock(return_value=RespxResponse(201, json={"data": {"id": "g"}}))
    infos: list[RequestInfo] = []

    clients.invoker(on_request=infos.append)(
        "grants.create", "p", "k", [{"type": "currency", "currencyKey": "g", "amount": 1}]
    )

    assert [(i.status, i.ok) for i in infos] == [(201, True)]


def test_a_raising_hook_is_logged_and_swallowed(
    clients: Clients, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    route = api.route().mock(side_effect=[error(502, "bad_gateway"), ok({"balance": 3})])
    calls: list[int] = []

    def hook(info: RequestInfo) -> None:
        calls.append(info.attempt)
        raise RuntimeError("metrics backend is down")

    with caplog.at_level(logging.WARNING, logger="kraty_admin"):
        result = clients.invoker(on_request=hook)("wallet.credit", "p", "gold", 3)

    assert result == {"balance": 3}
    assert route.call_count == 2
    assert calls == [1, 2]  # still called on every attempt
    records = [r for r in caplog.records if r.name == "kraty_admin"]
    assert len(records) == 2
    assert all(r.levelno == logging.WARNING for r in records)
    assert all(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in records)


def test_a_raising_hook_does_not_mask_the_real_error(
    clients: Clients, api: respx.MockRouter
) -> None:
    api.route().mock(return_value=error(409, "conflict", "short"))

    def hook(info: RequestInfo) -> None:
        raise ValueError("hook bug")

    with pytest.raises(KratyServerError) as caught:
        clients.invoker(on_request=hook)("wallet.debit", "p", "gold", 3)

    assert caught.value.is_conflict


def test_duration_comes_from_the_injected_clock(clients: Clients, api: respx.MockRouter) -> None:
    api.route().mock(return_value=ok({}))
    ticks = iter([100.0, 100.25])
    infos: list[RequestInfo] = []

    clients.invoker(on_request=infos.append, clock=lambda: next(ticks))("players.get", "p")

    [info] = infos
    assert info.duration_ms == pytest.approx(250.0)


def test_each_attempt_reports_its_request_id(clients: Clients, api: respx.MockRouter) -> None:
    api.route().mock(
        side_effect=[
            error(503, "unavailable", headers={"X-Request-Id": "req_1"}),
            http_lib.ConnectError("reset"),
            ok({}, headers={"X-Request-Id": "req_3"}),
        ]
    )
    infos: list[RequestInfo] = []

    clients.invoker(on_request=infos.append)("players.get", "p")

    assert [i.request_id for i in infos] == ["req_1", None, "req_3"]
