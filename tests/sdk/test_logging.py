"""The ``kraty_admin`` logger: a DEBUG line per attempt, an INFO line per retry, no secrets."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

import pytest
import respx

from kraty_admin import KratyServerError, RequestInfo, RetryConfig
from tests._http import RespxResponse, http_lib

from .conftest import API_KEY, Clients, error, ok


def kraty_lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "kraty_admin" and r.levelno == level
    ]


def test_one_debug_line_per_attempt_and_one_info_line_per_retry(
    clients: Clients, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.route().mock(
        side_effect=[
            error(503, "unavailable", headers={"X-Request-Id": "req_a"}),
            http_lib.ConnectError("reset"),
            ok({"balance": 5}, headers={"X-Request-Id": "req_c"}),
        ]
    )
    ticks = iter([10.0, 10.5, 20.0, 20.25, 30.0, 30.125])
    invoke = clients.invoker(retry=RetryConfig(jitter=0), clock=lambda: next(ticks))

    with caplog.at_level(logging.DEBUG, logger="kraty_admin"):
        invoke("wallet.credit", "p/q", "gold", 5, idempotency_key="rcpt-9")

    path = "/server/v1/players/p%2Fq/wallet/gold/credit"
    assert kraty_lines(caplog, logging.DEBUG) == [
        f"POST {path} -> 503 attempt=1 elapsed_ms=500.0 request_id=req_a idempotency_key=rcpt-9",
        f"POST {path} -> ConnectError attempt=2 elapsed_ms=250.0 request_id=None "
        "idempotency_key=rcpt-9",
        f"POST {path} -> 200 attempt=3 elapsed_ms=125.0 request_id=req_c idempotency_key=rcpt-9",
    ]
    assert kraty_lines(caplog, logging.INFO) == [
        f"retrying POST {path} after 503 in 0.20 s (attempt 2 of 4) idempotency_key=rcpt-9",
        f"retrying POST {path} after ConnectError in 0.40 s (attempt 3 of 4) "
        "idempotency_key=rcpt-9",
    ]


def test_nothing_is_logged_at_warning_level_for_a_normal_call(
    clients: Clients, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.route().mock(side_effect=[error(502, "bad_gateway"), ok({})])

    with caplog.at_level(logging.WARNING, logger="kraty_admin"):
        clients.invoker()("players.get", "p")

    assert [r for r in caplog.records if r.name == "kraty_admin"] == []


def test_no_level_ever_shows_the_key_secrets_or_bodies(
    clients: Clients, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    secret_body = "body-only-marker-7f3"
    api.route().mock(
        side_effect=[
            error(429, "rate_limited", headers={"Retry-After": "0"}),
            http_lib.ReadTimeout(f"slow; Authorization: Bearer {API_KEY}"),
            RespxResponse(502, text=f"proxy echo: Bearer {API_KEY}"),
            ok({}),
            error(409, "conflict", f"echo {API_KEY}"),
        ]
    )

    def hook(info: RequestInfo) -> None:
        raise RuntimeError("metrics down")

    invoke = clients.invoker(on_request=hook)
    with caplog.at_level(logging.DEBUG):
        invoke("wallet.credit", "p", "gold", 5, reason=secret_body)
        with pytest.raises(KratyServerError):
            invoke("wallet.debit", "p", "gold", 5, reason=secret_body)

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    text = "\n".join(handler.format(record) for record in caplog.records)
    assert "DEBUG kraty_admin" in text
    assert "INFO kraty_admin" in text
    assert "WARNING kraty_admin" in text
    assert API_KEY not in text
    assert secret_body not in text


SCRIPT = f"import {http_lib.__name__} as http_lib\n" + textwrap.dedent(
    """
    from kraty_admin import KratyAdmin, RetryConfig

    answers = iter([503, 200])

    def answer(request):
        return http_lib.Response(next(answers), json={"data": {}})

    http = http_lib.Client(transport=http_lib.MockTransport(answer))
    kraty = KratyAdmin(api_key="sk_subprocess_key", base_url="https://api.test",
                       http_client=http, sleep=lambda s: None)
    kraty.players.get("p")
    """
)


@pytest.mark.parametrize(
    ("value", "debug_shown"), [("debug", True), ("info", False), ("DEBUG", True)]
)
def test_kraty_log_switches_the_logger_on(value: str, debug_shown: bool) -> None:
    env = {"KRATY_LOG": value, "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )

    assert ("DEBUG kraty_admin] GET /server/v1/players/p -> 503" in done.stderr) is debug_shown
    assert "INFO kraty_admin] retrying GET /server/v1/players/p after 503" in done.stderr
    assert "sk_subprocess_key" not in done.stderr


def test_without_kraty_log_nothing_is_printed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env={"PATH": ""}, capture_output=True, text=True, check=True
    )

    assert done.stderr == ""
