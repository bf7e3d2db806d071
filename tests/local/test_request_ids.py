"""``X-Request-Id`` on every answer and ``requestId`` in every error envelope (issue 11)."""

from __future__ import annotations

import logging
import re

import pytest

from kraty_local.server import LocalServer
from tests._http import http_lib

GENERATED = re.compile(r"req_[0-9a-f]{32}")


def test_every_answer_carries_a_generated_id(client: http_lib.Client) -> None:
    ok = client.post("/players/p1/wallet/gold/credit", json={"amount": 1, "idempotencyKey": "k"})
    missing = client.get("/no/such/route")
    invalid = client.post("/players/p1/wallet/gold/credit", json={"amount": -1})

    ids = [r.headers["X-Request-Id"] for r in (ok, missing, invalid)]
    assert all(GENERATED.fullmatch(i) for i in ids), ids
    assert len(set(ids)) == 3
    assert "requestId" not in ok.json()["data"]
    for response in (missing, invalid):
        assert response.json()["error"]["requestId"] == response.headers["X-Request-Id"]
        assert int(response.headers["content-length"]) == len(response.content)


def test_unauthenticated_and_local_routes_carry_ids_too(server: LocalServer) -> None:
    with http_lib.Client(base_url=server.base_url, timeout=30) as anonymous:
        refused = anonymous.get("/server/v1/ping")
        local = anonymous.get("/_local/webhooks")

    assert refused.status_code == 401
    assert refused.json()["error"]["requestId"] == refused.headers["X-Request-Id"]
    assert GENERATED.fullmatch(local.headers["X-Request-Id"])


@pytest.mark.parametrize("sent", ["abc-123", "trace:01HZX.9_a", "x" * 128])
def test_a_sane_caller_id_is_kept(sent: str, client: http_lib.Client) -> None:
    response = client.get("/players/nobody", headers={"X-Request-Id": sent})

    assert response.status_code == 404
    assert response.headers["X-Request-Id"] == sent
    assert response.json()["error"]["requestId"] == sent


@pytest.mark.parametrize("sent", ["", "x" * 129, "has space", "semi;colon", 'quote"d', "ünï"])
def test_an_unsafe_caller_id_is_replaced(sent: str, client: http_lib.Client) -> None:
    response = client.get("/ping", headers={"X-Request-Id": sent.encode("utf-8")})

    assert response.status_code == 200
    assert GENERATED.fullmatch(response.headers["X-Request-Id"])


def test_a_replayed_error_gets_the_new_requests_id(client: http_lib.Client) -> None:
    body = {"amount": 5, "idempotencyKey": "short"}
    first = client.post("/players/p1/wallet/gold/debit", json=body)
    again = client.post("/players/p1/wallet/gold/debit", json=body)

    assert (first.status_code, again.status_code) == (409, 409)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["error"]["requestId"] == again.headers["X-Request-Id"]
    assert again.headers["X-Request-Id"] != first.headers["X-Request-Id"]


def test_the_id_is_logged(client: http_lib.Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="kraty_local.requests"):
        response = client.get("/players/nobody", headers={"X-Request-Id": "find-me-1"})

    lines = [r.getMessage() for r in caplog.records if r.name == "kraty_local.requests"]
    assert any("find-me-1" in line and "404" in line for line in lines), lines
    assert response.status_code == 404
