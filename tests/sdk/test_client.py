"""Construction, configuration, secrecy of the key, HTTP client ownership and concurrency."""

from __future__ import annotations

import importlib
import logging
import ssl
import traceback
from pathlib import Path
from typing import Any

import pytest
import respx

from kraty_admin import KratyNetworkError, KratyServerError, RequestInfo, RetryConfig
from kraty_admin._http import LIBRARY
from tests._http import RespxRequest, RespxResponse, http_lib

from .conftest import API_KEY, Clients, error, ok

PING = {"ok": True, "apiKey": {"id": "key_1"}}


def ping_route(api: respx.MockRouter, base: str = "https://api.test") -> respx.Route:
    return api.get(f"{base}/server/v1/ping").mock(return_value=RespxResponse(200, json=PING))


# --------------------------------------------------------------------------- api key


@pytest.mark.parametrize("key", [None, "", "   ", "\t\n"])
def test_missing_or_empty_key_fails_at_construction(
    key: str | None, clients: Clients, api: respx.MockRouter
) -> None:
    with pytest.raises(ValueError, match="KRATY_SERVER_KEY"):
        clients.new(api_key=key)

    assert api.calls.call_count == 0


@pytest.mark.parametrize("env_value", ["", "  "])
def test_empty_env_key_fails_too(
    env_value: str, clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRATY_SERVER_KEY", env_value)

    with pytest.raises(ValueError, match="API key"):
        clients.new(api_key=None)


def test_key_falls_back_to_env(
    clients: Clients, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRATY_SERVER_KEY", "sk_from_env")
    route = ping_route(api)

    clients.invoker(api_key=None)("health.ping")

    assert route.calls.last.request.headers["authorization"] == "Bearer sk_from_env"


def test_explicit_key_beats_env(
    clients: Clients, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRATY_SERVER_KEY", "sk_from_env")
    route = ping_route(api)

    clients.invoker(api_key="sk_explicit")("health.ping")

    assert route.calls.last.request.headers["authorization"] == "Bearer sk_explicit"


def test_explicit_empty_key_does_not_fall_back_to_env(
    clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRATY_SERVER_KEY", "sk_from_env")

    with pytest.raises(ValueError, match="API key"):
        clients.new(api_key="")


# --------------------------------------------------------------------------- base URL


def test_default_base_url(clients: Clients, api: respx.MockRouter) -> None:
    route = ping_route(api, "https://api.kraty.app")

    clients.invoker(base_url=None)("health.ping")

    assert route.call_count == 1


def test_base_url_falls_back_to_env(
    clients: Clients, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRATY_BASE_URL", "http://localhost:8787/")
    route = ping_route(api, "http://localhost:8787")

    clients.invoker(base_url=None)("health.ping")

    assert route.call_count == 1
    assert route.calls.last.request.url.raw_path == b"/server/v1/ping"


def test_explicit_base_url_beats_env(
    clients: Clients, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRATY_BASE_URL", "http://localhost:8787")
    route = ping_route(api, "https://staging.test")

    clients.invoker(base_url="https://staging.test")("health.ping")

    assert route.call_count == 1


def test_base_url_with_a_path_prefix(clients: Clients, api: respx.MockRouter) -> None:
    route = api.route().mock(return_value=RespxResponse(200, json={"data": {}}))

    clients.invoker(base_url="https://gateway.test/kraty/")("players.get", "p")

    assert str(route.calls.last.request.url) == "https://gateway.test/kraty/server/v1/players/p"


@pytest.mark.parametrize(
    "base_url",
    [
        "api.kraty.app",
        "localhost:8000",
        "ftp://api.kraty.app",
        "https://",
        "http:///server",
        "http://localhost:notaport",
        "https://api.test/?region=eu",
        "https://api.test?",
        "https://api.test/#fragment",
    ],
)
def test_bad_base_url_is_a_value_error(
    base_url: str, clients: Clients, api: respx.MockRouter
) -> None:
    with pytest.raises(ValueError, match="base_url"):
        clients.new(base_url=base_url)

    assert api.calls.call_count == 0


def test_bad_env_base_url_is_a_value_error(
    clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRATY_BASE_URL", "not a url")

    with pytest.raises(ValueError, match="base_url"):
        clients.new(base_url=None)


# --------------------------------------------------------------------------- the key stays secret


def test_key_not_in_repr_or_vars(clients: Clients) -> None:
    client = clients.new(on_request=lambda info: None)

    assert API_KEY not in repr(client)
    assert API_KEY not in str(client)
    assert API_KEY not in str(vars(client))
    assert API_KEY not in repr(vars(client))
    for resource in ("grants", "wallet", "players", "migrate", "health"):
        assert API_KEY not in repr(getattr(client, resource))
        assert API_KEY not in str(vars(getattr(client, resource)))
    assert "api.test" in repr(client)


def test_key_not_in_error_text_or_logs(
    clients: Clients, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.route().mock(
        side_effect=[
            error(401, "session_invalid", "the key is not valid"),
            http_lib.ConnectError("connection refused"),
            http_lib.ConnectError("connection refused"),
            RespxResponse(502, content=b"<html>proxy error</html>"),
            RespxResponse(502, content=b"<html>proxy error</html>"),
        ]
    )

    def hook(info: RequestInfo) -> None:
        raise RuntimeError(f"hook failed for {info!r}")

    invoke = clients.invoker(on_request=hook, retry=RetryConfig(attempts=2))
    caught: list[BaseException] = []
    with caplog.at_level(logging.DEBUG):
        for _ in range(2):
            try:
                invoke("wallet.credit", "p", "gold", 1)
            except (KratyServerError, KratyNetworkError) as exc:
                caught.append(exc)
        with pytest.raises(KratyServerError) as last:
            invoke("players.get", "p")
        caught.append(last.value)

    server_error, network_error, proxy_error = caught
    assert isinstance(server_error, KratyServerError)
    assert isinstance(network_error, KratyNetworkError)
    assert isinstance(proxy_error, KratyServerError)
    for exc in caught:
        assert API_KEY not in str(exc)
        assert API_KEY not in repr(exc)
        assert API_KEY not in "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    assert caplog.records, "the raising hook should have been logged"
    assert API_KEY not in caplog.text
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in repr(record.args)


def test_exchange_and_prepared_request_reprs_hide_the_key(clients: Clients) -> None:
    from kraty_admin._core import Call

    client = clients.new()
    exchange = client._exchange(Call.post("/server/v1/x", {"a": 1}))

    assert API_KEY not in repr(exchange.request)
    assert API_KEY not in repr(vars(exchange))


# --------------------------------------------------------------------------- HTTP client ownership


def test_callers_http_client_is_used_and_left_open(clients: Clients) -> None:
    seen: list[Any] = []

    def handler(request: Any) -> Any:  # http_lib's Request and Response (no respx here)
        seen.append(request)
        return http_lib.Response(200, json=PING)

    http = clients.http_client(transport=http_lib.MockTransport(handler), headers={"X-Mine": "1"})
    client = clients.new(http_client=http)

    assert clients.call(client, "health.ping") == PING
    clients.close(client)

    assert len(seen) == 1
    assert seen[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert seen[0].headers["x-mine"] == "1"
    assert "authorization" not in http.headers  # the SDK's headers go per call, not on the client
    assert not http.is_closed
    assert clients.call(client, "health.ping") == PING  # still usable after close()
    assert len(seen) == 2
    clients.close(client)
    assert not http.is_closed


def test_callers_http_client_is_left_open_by_the_context_manager(clients: Clients) -> None:
    http = clients.http_client(
        transport=http_lib.MockTransport(lambda request: http_lib.Response(200, json=PING))
    )

    entered, result = clients.within(clients.new(http_client=http), "health.ping")

    assert result == PING
    assert not http.is_closed
    assert entered._http is http


def test_a_client_of_another_library_is_refused(clients: Clients) -> None:
    """``http_client=`` takes the library in use: its exceptions are the ones the SDK retries."""
    wanted = "AsyncClient" if clients.is_async else "Client"
    others: list[Any] = [
        object(),
        http_lib.AsyncClient() if not clients.is_async else http_lib.Client(),
    ]
    other_library = "httpx" if LIBRARY == "httpx2" else "httpx2"
    try:
        other = importlib.import_module(other_library)
    except ImportError:  # httpx2 is not installed on Python 3.10
        pass
    else:
        others.append(getattr(other, wanted)())
    for http in others:
        with pytest.raises(TypeError, match=rf"must be an {LIBRARY}\.{wanted} \("):
            clients.new(http_client=http)
        if hasattr(http, "close"):
            clients.close_http(http)


def test_user_agent_names_the_http_library(clients: Clients, api: respx.MockRouter) -> None:
    route = ping_route(api)
    clients.call(clients.new(), "health.ping")
    agent = route.calls.last.request.headers["User-Agent"]
    assert f" {LIBRARY}/{http_lib.__version__}" in agent


def _ssl_context(client: Any) -> Any:
    """The SSL context the client's HTTP connection pool uses."""
    return client._http._transport._pool._ssl_context


def test_clients_share_the_default_ssl_context(
    clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building one loads the CA certificates (tens of ms); every SDK client reuses it."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    first, second = clients.new(), clients.new()
    context = _ssl_context(first)

    assert _ssl_context(second) is context
    assert _ssl_context(first.with_options(timeout=1)) is context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0


def test_the_ssl_context_follows_the_certificate_variables(
    clients: Clients, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``SSL_CERT_FILE`` (which the HTTP library honours) picks the CA bundle, as without
    sharing: clients built under it share a context made for it; a bad one fails as before."""
    certifi = pytest.importorskip("certifi")
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    default = _ssl_context(clients.new())
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())

    first, second = clients.new(), clients.new()

    assert _ssl_context(first) is not default
    assert _ssl_context(second) is _ssl_context(first)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(FileNotFoundError):
        clients.new()
    monkeypatch.delenv("SSL_CERT_FILE")
    assert _ssl_context(clients.new()) is default


def test_close_closes_an_owned_client(clients: Clients) -> None:
    client = clients.new()
    assert not client._http.is_closed

    clients.close(client)

    assert client._http.is_closed


def test_context_manager_returns_the_client_and_closes_it(
    clients: Clients, api: respx.MockRouter
) -> None:
    ping_route(api)
    client = clients.new()

    entered, result = clients.within(client, "health.ping")

    assert entered is client
    assert result == PING
    assert client._http.is_closed


def test_context_manager_closes_on_error(clients: Clients, api: respx.MockRouter) -> None:
    api.route().mock(return_value=error(404, "not_found"))
    client = clients.new()

    with pytest.raises(KratyServerError):
        clients.within(client, "players.get", "p")

    assert client._http.is_closed


# --------------------------------------------------------------------------- concurrency


def test_one_client_shared_by_8_concurrent_callers(clients: Clients, api: respx.MockRouter) -> None:
    """8 threads (sync) or 8 tasks (async) in flight at once on one client, answers not mixed."""

    def respond(request: RespxRequest) -> RespxResponse:
        player = request.url.raw_path.decode().split("/")[4]
        return ok({"player": player, "key": request.read().decode()})

    route = api.route().mock(side_effect=clients.rendezvous(8, respond))
    client = clients.new()
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("wallet.credit", (f"player_{i}", "gold", i), {"idempotency_key": f"key_{i}"})
        for i in range(8)
    ]

    results = clients.concurrently(client, calls)

    assert route.call_count == 8
    for i, result in enumerate(results):
        assert result["player"] == f"player_{i}"
        assert f'"idempotencyKey":"key_{i}"' in result["key"]
        assert f'"amount":{i}' in result["key"]


def test_concurrent_retries_keep_their_own_keys(clients: Clients, api: respx.MockRouter) -> None:
    """Each logical call keeps its generated key across its own retries, even interleaved."""
    seen: dict[str, list[str]] = {}

    def respond(request: RespxRequest) -> RespxResponse:
        body = request.read().decode()
        player = request.url.raw_path.decode().split("/")[4]
        seen.setdefault(player, []).append(body)
        if len(seen[player]) < 3:
            return error(503, "unavailable")
        return ok({"player": player})

    api.route().mock(side_effect=respond)
    counter = iter(range(1000))
    client = clients.new(generate_idempotency_key=lambda: f"gen-{next(counter)}")

    results = clients.concurrently(client, [("players.unban", (f"p{i}",), {}) for i in range(8)])

    assert [r["player"] for r in results] == [f"p{i}" for i in range(8)]
    keys_per_player = {player: set(bodies) for player, bodies in seen.items()}
    assert all(len(bodies) == 1 for bodies in keys_per_player.values())
    assert len({next(iter(bodies)) for bodies in keys_per_player.values()}) == 8


@pytest.mark.parametrize(
    "bad_key",
    [
        "sk_live_abc\r\nX-Evil: 1",
        "sk_live_abc\nrest",
        "sk_live_\x00abc",
        "sk_live_\x1babc",
        "sk_live_\x7fabc",
        "sk_live_äbc",
        "sk_live_abc def",
    ],
)
def test_a_malformed_key_is_refused_without_showing_it(
    bad_key: str, clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match="API key") as caught:
        clients.new(api_key=bad_key)
    errors = [caught.value]
    if "\x00" not in bad_key:  # the environment cannot hold a NUL
        monkeypatch.setenv("KRATY_SERVER_KEY", bad_key)
        with pytest.raises(ValueError, match="API key") as from_env:
            clients.new(api_key=None)
        errors.append(from_env.value)

    for err in errors:
        shown = str(err) + repr(err) + repr(err.args)
        assert "abc" not in shown
        assert err.__cause__ is None
        assert err.__context__ is None
