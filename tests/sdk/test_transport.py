"""Headers, body encoding and idempotency keys (contract section 1, "Transport")."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import respx

from kraty_admin import RetryConfig, __version__
from kraty_admin._core import request_headers
from tests._http import RespxResponse, http_lib

from .conftest import API_KEY, Clients, Invoker

SDK_ID = f"kraty-admin/{__version__}"


@pytest.fixture
def echo(api: respx.MockRouter) -> respx.Route:
    return api.route().mock(return_value=RespxResponse(200, json={"data": {"ok": True}}))


def test_identification_and_auth_headers_on_every_request(
    invoke: Invoker, echo: respx.Route
) -> None:
    invoke("players.get", "p")
    invoke("wallet.credit", "p", "gold", 5)
    invoke("players.set_identity", "p", "Name")

    for call in echo.calls:
        headers = call.request.headers
        assert headers["authorization"] == f"Bearer {API_KEY}"
        assert headers["accept"] == "application/json"
        assert headers["x-kraty-sdk"] == SDK_ID
        assert SDK_ID in headers["user-agent"].split()
        assert "python-httpx" not in headers["user-agent"]
        # Exactly one value per header (no duplicates merged by httpx).
        for name in ("authorization", "accept", "x-kraty-sdk", "user-agent"):
            assert len(headers.get_list(name)) == 1


def test_content_type_only_with_a_body(invoke: Invoker, echo: respx.Route) -> None:
    invoke("players.get", "p")
    invoke("players.export", "p")
    invoke("players.unban", "p")
    invoke("players.set_identity", "p", "Name")

    get, export, unban, put = (call.request for call in echo.calls)
    for request in (get, export):
        assert "content-type" not in request.headers
        assert request.content == b""
    for request in (unban, put):
        assert request.headers["content-type"] == "application/json"
        assert request.headers["content-length"] == str(len(request.content))


def test_body_is_utf8_json(invoke: Invoker, echo: respx.Route) -> None:
    invoke("players.ban", "p", reason="trapaça — 作弊 🎯")

    raw = echo.calls.last.request.content
    assert json.loads(raw.decode("utf-8"))["reason"] == "trapaça — 作弊 🎯"
    assert "trapaça — 作弊 🎯".encode() in raw  # UTF-8 on the wire, not \\u escapes


def test_default_timeout_is_15_seconds_and_configurable(
    clients: Clients, echo: respx.Route
) -> None:
    clients.invoker()("health.ping")
    clients.invoker(timeout=2.5)("health.ping")

    default, custom = (call.request.extensions["timeout"] for call in echo.calls)
    assert default == {"connect": 15.0, "read": 15.0, "write": 15.0, "pool": 15.0}
    assert custom == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}


def test_timeout_set_on_the_client_applies_to_the_next_request(
    clients: Clients, echo: respx.Route
) -> None:
    invoke = clients.invoker()
    invoke.client.timeout = http_lib.Timeout(3.0, connect=1.0)
    invoke("health.ping")

    sent = echo.calls.last.request.extensions["timeout"]
    assert sent == {"connect": 1.0, "read": 3.0, "write": 3.0, "pool": 3.0}


@pytest.mark.parametrize("extra", [{}, {"X-Trace": "t-1", "accept": "text/plain"}])
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_requests_are_what_the_library_builds(
    method: str, extra: dict[str, str], clients: Clients
) -> None:
    """On its own HTTP client the SDK merges the client's headers once, not per request: the
    request it builds is exactly what ``build_request`` makes from the per-request headers."""
    kraty = clients.new(timeout=2.5).with_options(headers=extra)
    body = {"a": 1} if method in {"POST", "PUT"} else None
    prepared = kraty._exchange(kraty._request_call(method, "/server/v1/x", body, None)).request

    ours = kraty._build_request(prepared)

    per_request = request_headers(extra, {})
    theirs = kraty._http.build_request(
        method,
        prepared.url,
        headers=per_request.body if body is not None else per_request.plain,
        content=prepared.content,
        timeout=2.5,
    )
    assert ours.headers.multi_items() == theirs.headers.multi_items()
    assert (ours.method, ours.url, ours.content) == (theirs.method, theirs.url, theirs.content)
    assert ours.extensions == theirs.extensions


def test_cookies_the_server_sets_are_sent_back(clients: Clients, api: respx.MockRouter) -> None:
    """As the HTTP library does for any request (a load balancer's sticky-session cookie)."""
    route = api.route().mock(
        return_value=RespxResponse(
            200, json={"data": {"ok": True}}, headers={"Set-Cookie": "lb=node-2; Path=/"}
        )
    )
    invoke = clients.invoker()

    invoke("players.get", "p")
    invoke("wallet.credit", "p", "gold", 5)

    first, second = (call.request for call in route.calls)
    assert "cookie" not in first.headers
    assert second.headers["cookie"] == "lb=node-2"


# --------------------------------------------------------------------------- idempotency


class CountingKeys:
    """A ``generate_idempotency_key`` that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"gen-{self.calls}"


def body_of(call: Any) -> dict[str, Any]:
    return dict(json.loads(call.request.content))


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("wallet.credit", ("p", "gold", 5), {}),
        ("inventory.revoke", ("p", "sword", 1), {}),
        ("grants.ack", ("p", "g"), {}),
        ("players.unban", ("p",), {}),
        ("players.merge", ("a", "b"), {}),
        ("events.finish", ("p", "e", "a"), {}),
        ("migrate.players", ([],), {}),
        ("players.set_identity", ("p", "Name"), {}),  # PUT
    ],
)
def test_post_and_put_carry_a_generated_key_in_the_body(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], clients: Clients, echo: respx.Route
) -> None:
    keys = CountingKeys()
    clients.invoker(generate_idempotency_key=keys)(name, *args, **kwargs)

    request = echo.calls.last.request
    assert request.method in {"POST", "PUT"}
    assert body_of(echo.calls.last)["idempotencyKey"] == "gen-1"
    assert keys.calls == 1
    assert not any("idempotency" in header.lower() for header in request.headers)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("players.get", ("p",)),
        ("players.export", ("p",)),
        ("players.friends", ("p",)),
        ("lobbies.read", ("g", "l")),
        ("health.ping", ()),
    ],
)
def test_get_carries_no_key_and_never_generates_one(
    name: str, args: tuple[Any, ...], clients: Clients, api: respx.MockRouter
) -> None:
    route = api.route().mock(
        return_value=RespxResponse(200, json={"data": {"friends": []}, "ok": True})
    )
    keys = CountingKeys()
    infos: list[Any] = []
    clients.invoker(generate_idempotency_key=keys, on_request=infos.append)(name, *args)

    request = route.calls.last.request
    assert request.method == "GET"
    assert request.content == b""
    assert b"idempotency" not in request.url.raw_path.lower()
    assert not any("idempotency" in header.lower() for header in request.headers)
    assert keys.calls == 0
    assert infos[0].idempotency_key is None


def test_callers_key_wins_and_generator_is_not_called(clients: Clients, echo: respx.Route) -> None:
    keys = CountingKeys()
    invoke = clients.invoker(generate_idempotency_key=keys)

    invoke("wallet.credit", "p", "gold", 5, idempotency_key="receipt_1")
    invoke("players.unban", "p", idempotency_key="unban_1")
    invoke("players.set_identity", "p", "Name", idempotency_key="identity_1")

    assert [body_of(call)["idempotencyKey"] for call in echo.calls] == [
        "receipt_1",
        "unban_1",
        "identity_1",
    ]
    assert keys.calls == 0


def test_one_key_per_logical_call_reused_on_every_retry(
    clients: Clients, api: respx.MockRouter
) -> None:
    route = api.route().mock(
        side_effect=[
            RespxResponse(503),
            http_lib.ConnectError("reset"),
            RespxResponse(429),
            RespxResponse(200, json={"data": {"balance": 1}}),
            RespxResponse(500),
            RespxResponse(200, json={"data": {"balance": 2}}),
        ]
    )
    keys = CountingKeys()
    invoke = clients.invoker(generate_idempotency_key=keys, retry=RetryConfig(attempts=4))

    assert invoke("wallet.credit", "p", "gold", 1) == {"balance": 1}
    assert keys.calls == 1
    assert invoke("wallet.credit", "p", "gold", 1) == {"balance": 2}
    assert keys.calls == 2

    sent = [body_of(call)["idempotencyKey"] for call in route.calls]
    assert sent == ["gen-1"] * 4 + ["gen-2"] * 2


def test_callers_key_is_reused_on_retries(clients: Clients, api: respx.MockRouter) -> None:
    route = api.route().mock(
        side_effect=[RespxResponse(502), RespxResponse(200, json={"data": {}})]
    )
    clients.invoker()("inventory.grant", "p", "sword", 1, idempotency_key="receipt_9")

    assert [body_of(call)["idempotencyKey"] for call in route.calls] == ["receipt_9"] * 2


def test_default_generator_makes_distinct_uuid4_strings(invoke: Invoker, echo: respx.Route) -> None:
    for _ in range(5):
        invoke("players.unban", "p")

    keys = [body_of(call)["idempotencyKey"] for call in echo.calls]
    assert len(set(keys)) == 5
    for key in keys:
        assert isinstance(key, str)
        parsed = uuid.UUID(key)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == key


def test_an_idempotency_key_argument_never_leaks_into_the_body_twice(
    invoke: Invoker, echo: respx.Route
) -> None:
    invoke("grants.create", "p", "k1", [{"type": "currency", "currencyKey": "g", "amount": 1}])

    raw = echo.calls.last.request.content
    assert raw.count(b"idempotencyKey") == 1
    assert b"idempotency_key" not in raw
