"""``with_options``, ``with_raw_response`` and ``request``: transport details (respx)."""

from __future__ import annotations

import json
import operator
from typing import Any

import anyio
import pytest
import respx

from kraty_admin import KratyServerError, RawResponse, RetryConfig
from tests._http import RespxResponse

from .conftest import API_KEY, BASE_URL, Clients, error, ok

CREDIT = f"{BASE_URL}/server/v1/players/p/wallet/gold/credit"


def run(clients: Clients, call: Any) -> Any:
    """Call ``call()`` and await it on the async client."""
    if not clients.is_async:
        return call()

    async def main() -> Any:
        return await call()

    return anyio.run(main)


def test_with_options_overrides_for_the_view_only(clients: Clients, api: respx.MockRouter) -> None:
    route = api.post(CREDIT).mock(side_effect=[error(503, "busy"), error(503, "busy"), ok({})])
    kraty = clients.new(retry=RetryConfig(attempts=4, jitter=0))
    view = kraty.with_options(
        timeout=2.5, retry=RetryConfig(attempts=2, jitter=0), headers={"X-Trace": "t-1"}
    )

    with pytest.raises(KratyServerError):
        run(clients, lambda: view.wallet.credit("p", "gold", 1))

    assert route.call_count == 2  # the view's retry policy
    sent = route.calls.last.request
    assert sent.headers["X-Trace"] == "t-1"
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    assert sent.extensions["timeout"]["read"] == 2.5
    assert view._http is kraty._http  # one connection pool
    assert (kraty.timeout, kraty.retry.attempts) == (15.0, 4)

    route.side_effect = None
    route.return_value = ok({"balance": 1})
    run(clients, lambda: kraty.wallet.credit("p", "gold", 1))
    assert "X-Trace" not in route.calls.last.request.headers
    assert route.calls.last.request.extensions["timeout"]["read"] == 15.0


@pytest.mark.parametrize("spelling", ["Authorization", "authorization", "AUTHORIZATION"])
def test_caller_headers_cannot_replace_the_sdks(
    spelling: str, clients: Clients, api: respx.MockRouter
) -> None:
    route = api.route().mock(return_value=RespxResponse(200, json={"data": {}}))
    replaced = {spelling: "Bearer other", "user-agent": "x", "Content-Type": "text/plain"}
    view = clients.new().with_options(headers={**replaced, "X-A": "1"})

    run(clients, view.health.ping)
    run(clients, lambda: view.wallet.credit("p", "gold", 1))

    for call in route.calls:
        sent = call.request.headers
        assert sent.get_list("Authorization") == [f"Bearer {API_KEY}"]
        assert sent["X-A"] == "1"
        assert sent["User-Agent"].startswith("kraty-admin/")
    assert "Content-Type" not in route.calls[0].request.headers
    assert route.calls[1].request.headers.get_list("Content-Type") == ["application/json"]


def test_closing_a_view_leaves_the_pool_open(clients: Clients, api: respx.MockRouter) -> None:
    api.get(f"{BASE_URL}/server/v1/ping").mock(return_value=RespxResponse(200, json={}))
    kraty = clients.new()

    clients.close(kraty.with_options(timeout=1.0))

    assert run(clients, kraty.health.ping) == {}


def test_with_options_timeout_none_means_no_timeout(
    clients: Clients, api: respx.MockRouter
) -> None:
    route = api.get(f"{BASE_URL}/server/v1/ping").mock(return_value=RespxResponse(200, json={}))

    run(clients, clients.new().with_options(timeout=None).health.ping)

    assert route.calls.last.request.extensions["timeout"]["read"] is None


def test_raw_response_fields(clients: Clients, api: respx.MockRouter) -> None:
    headers = {"X-Request-Id": "req_9", "Idempotent-Replayed": "true"}
    api.post(CREDIT).mock(
        side_effect=[error(502, "bad"), ok({"balance": 4, "applied": False}, headers=headers)]
    )
    kraty = clients.new()

    raw = run(clients, lambda: kraty.with_raw_response.wallet.credit("p", "gold", 4))

    assert isinstance(raw, RawResponse)
    assert (raw.status_code, raw.request_id, raw.replayed, raw.attempts) == (200, "req_9", True, 2)
    assert raw.headers["content-type"] == "application/json"
    assert raw.parse() == {"balance": 4, "applied": False}
    assert "req_9" in repr(raw)


def test_raw_response_not_replayed_and_errors_still_raise(
    clients: Clients, api: respx.MockRouter
) -> None:
    api.post(CREDIT).mock(side_effect=[ok({"balance": 1}), error(409, "conflict")])
    raw_credit = clients.new().with_raw_response.wallet.credit

    raw = run(clients, lambda: raw_credit("p", "gold", 1))
    assert (raw.replayed, raw.request_id, raw.attempts) == (False, None, 1)
    with pytest.raises(KratyServerError):
        run(clients, lambda: raw_credit("p", "gold", 1))


def test_raw_response_parses_the_body_on_demand(clients: Clients, api: respx.MockRouter) -> None:
    """The call returns on any 2xx; ``parse()`` reads the body, once, and may fail on it."""
    route = api.post(CREDIT).mock(return_value=ok({"balance": 4}))
    kraty = clients.new()

    raw = run(clients, lambda: kraty.with_raw_response.wallet.credit("p", "gold", 4))
    assert raw.parse() is raw.parse()
    assert raw.parse() == {"balance": 4}

    route.return_value = RespxResponse(200, content=b"<html>proxy</html>")
    raw = run(clients, lambda: kraty.with_raw_response.wallet.credit("p", "gold", 4))
    assert (raw.status_code, raw.attempts) == (200, 1)
    with pytest.raises(KratyServerError, match="not a JSON object") as caught:
        raw.parse()
    assert caught.value.status == 200


def test_a_view_of_a_used_client_binds_its_own_resources(
    clients: Clients, api: respx.MockRouter
) -> None:
    """Resources are cached on first access; a view made afterwards does not inherit them."""
    route = api.post(CREDIT).mock(return_value=ok({"balance": 1}))
    kraty = clients.new()
    run(clients, lambda: kraty.wallet.credit("p", "gold", 1))
    run(clients, lambda: kraty.with_raw_response.wallet.credit("p", "gold", 1))

    view = kraty.with_options(headers={"X-Trace": "t-2"})
    run(clients, lambda: view.wallet.credit("p", "gold", 1))
    run(clients, lambda: view.with_raw_response.wallet.credit("p", "gold", 1))
    run(clients, lambda: kraty.wallet.credit("p", "gold", 1))

    traces = [call.request.headers.get("X-Trace") for call in route.calls]
    assert traces == [None, None, "t-2", "t-2", None]
    assert view.wallet is not kraty.wallet
    assert view.migrate._client is view


RESOURCES = ["grants", "inventory", "wallet", "lobbies", "players", "migrate"]
RESOURCES += ["health", "leaderboards", "events"]


def test_every_endpoint_is_offered_raw(clients: Clients) -> None:
    kraty = clients.new()
    names = [
        f"{resource}.{name}"
        for resource in RESOURCES
        for name in dir(getattr(kraty, resource))
        if not name.startswith("_") and not name.endswith("_all")
    ]

    assert len(names) > 20
    for name in names:
        method = operator.attrgetter(name)(kraty.with_raw_response)
        assert callable(method), name
        assert name.split(".")[1] in method.__qualname__ or name.endswith("progress")


def test_request_stamps_auth_and_a_stable_idempotency_key(
    clients: Clients, api: respx.MockRouter
) -> None:
    route = api.post(f"{BASE_URL}/server/v1/future/thing").mock(
        side_effect=[error(503, "busy"), RespxResponse(200, json={"data": {"done": True}})]
    )
    kraty = clients.new(generate_idempotency_key=iter(["k1", "k2"]).__next__)

    answer = run(clients, lambda: kraty.request("POST", "/server/v1/future/thing", body={"a": 1}))

    assert answer == {"data": {"done": True}}  # the body as is
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert bodies == [{"a": 1, "idempotencyKey": "k1"}] * 2
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {API_KEY}"


def test_request_keeps_the_callers_key_and_sends_params(
    clients: Clients, api: respx.MockRouter
) -> None:
    post = api.post(f"{BASE_URL}/x").mock(return_value=RespxResponse(200, json={}))
    get = api.get(f"{BASE_URL}/_local/rows", params={"status": "dead", "limit": "5"}).mock(
        return_value=RespxResponse(200, json={"data": []})
    )
    kraty = clients.new()

    run(clients, lambda: kraty.request("POST", "/x", body={"idempotencyKey": "mine", "b": 2}))
    rows = run(
        clients, lambda: kraty.request("GET", "/_local/rows", params={"status": "dead", "limit": 5})
    )

    assert json.loads(post.calls.last.request.content) == {"b": 2, "idempotencyKey": "mine"}
    assert rows == {"data": []}
    assert get.calls.last.request.content == b""


def test_request_decodes_errors(clients: Clients, api: respx.MockRouter) -> None:
    api.delete(f"{BASE_URL}/gone").mock(return_value=error(404, "not_found", "no such thing"))

    with pytest.raises(KratyServerError) as caught:
        run(clients, lambda: clients.new().request("DELETE", "/gone"))

    assert caught.value.is_not_found


@pytest.mark.parametrize("path", ["relative", "/q?x=1", "/f#frag"])
def test_request_refuses_a_path_that_is_not_one(path: str, clients: Clients) -> None:
    with pytest.raises(ValueError, match="path"):
        run(clients, lambda: clients.new().request("GET", path))
