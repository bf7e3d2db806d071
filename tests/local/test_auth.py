"""Authentication, game access, rate limiting and the start-up key."""

from __future__ import annotations

import time

import pytest

from kraty_local.auth import Principal, authorize_game
from kraty_local.clock import FakeClock
from kraty_local.domain.errors import Forbidden
from kraty_local.errors import api_error
from kraty_local.server import LocalServer
from kraty_local.settings import Settings
from kraty_local.world import RateLimit, default_world
from tests._http import http_lib

from .helpers import CLIENT_KEY, OTHER_GAME_KEY, OTHER_STUDIO_KEY, STUDIO_WIDE_KEY, make_world

CREDIT = "/server/v1/players/p1/wallet/gold/credit"


def call(
    server: LocalServer, authorization: str | None, path: str = "/server/v1/ping", **kwargs: object
) -> http_lib.Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    method = "POST" if "json" in kwargs else "GET"
    return http_lib.request(method, server.base_url + path, headers=headers, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("authorization", "status", "code"),
    [
        (None, 401, "unauthenticated"),
        ("Bearer", 401, "session_invalid"),
        ("Bearer no-dot-here", 401, "session_invalid"),
        ("Bearer unknown.prefix", 401, "session_invalid"),
        ("Basic dXNlcjpwYXNz", 401, "session_invalid"),
        (f"Bearer {OTHER_GAME_KEY}x", 401, "session_invalid"),  # right prefix, wrong secret
        (f"Bearer {CLIENT_KEY}", 403, "forbidden"),  # not a server_integration key
    ],
)
def test_refused_keys(
    server: LocalServer, authorization: str | None, status: int, code: str
) -> None:
    response = call(server, authorization)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_auth_comes_before_body_validation(server: LocalServer) -> None:
    response = http_lib.post(
        server.base_url + CREDIT, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 401


def test_ping_describes_the_key(server: LocalServer) -> None:
    response = call(server, f"Bearer {server.api_key}")

    assert response.status_code == 200
    body = response.json()  # bare, no "data" envelope
    assert body["ok"] is True
    assert body["apiKey"]["prefix"] == server.api_key.split(".")[0]
    assert {
        k: body["apiKey"][k] for k in ("permissionSet", "environment", "studioId", "gameId")
    } == {
        "permissionSet": "server_integration",
        "environment": "test",
        "studioId": "studio_1",
        "gameId": "game_1",
    }
    studio_wide = call(server, f"Bearer {STUDIO_WIDE_KEY}").json()["apiKey"]
    assert studio_wide["gameId"] is None


def test_studio_wide_key_cannot_use_player_routes(server: LocalServer) -> None:
    response = call(
        server, f"Bearer {STUDIO_WIDE_KEY}", CREDIT, json={"amount": 1, "idempotencyKey": "k"}
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "studio-wide" in response.json()["error"]["message"]


def test_player_routes_act_on_the_keys_own_game(server: LocalServer) -> None:
    body = {"amount": 5, "idempotencyKey": "same-key"}
    mine = call(server, f"Bearer {server.api_key}", CREDIT, json=body)
    game_2 = call(server, f"Bearer {OTHER_GAME_KEY}", CREDIT, json=body)
    game_3 = call(server, f"Bearer {OTHER_STUDIO_KEY}", CREDIT, json=body)

    # same player id and key in three games: three separate players, no replays
    assert [r.json()["data"]["balance"] for r in (mine, game_2, game_3)] == [5, 5, 5]
    assert not any("Idempotent-Replayed" in r.headers for r in (mine, game_2, game_3))


@pytest.mark.parametrize(
    ("key_game", "target", "code"),
    [
        ("game_1", "game_1", None),
        ("game_1", "game_2", "forbidden"),
        ("game_1", "game_3", "tenant_mismatch"),
        (None, "game_2", None),  # studio-wide keys reach every game of their studio
        (None, "game_3", "tenant_mismatch"),
        ("game_1", "no_such_game", "forbidden"),
    ],
)
def test_authorize_game(key_game: str | None, target: str, code: str | None) -> None:
    principal = Principal("id", "kt", "studio_1", key_game, "server_integration", "test")
    world = default_world()
    if code is None:
        assert authorize_game(principal, world, target).id == target
    else:
        with pytest.raises(Forbidden) as caught:
            authorize_game(principal, world, target)
        assert caught.value.code == code
        assert api_error(caught.value).status == 403


def test_rate_limit_answers_429_with_retry_after(database: str, clock: FakeClock) -> None:
    world = make_world(rate_limit=RateLimit(requests_per_second=0.5, burst=3))
    with LocalServer(db=database, world=world, clock=clock) as server:
        auth = f"Bearer {server.api_key}"
        statuses = [call(server, auth).status_code for _ in range(3)]
        limited = call(server, auth)
        other_key = call(server, f"Bearer {OTHER_GAME_KEY}")  # its own bucket
        clock.advance(2)
        after_wait = call(server, auth)

    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited.headers["Retry-After"] == "2"
    assert other_key.status_code == 200
    assert after_wait.status_code == 200


def test_configured_key_is_accepted(database: str, clock: FakeClock) -> None:
    settings = Settings(
        database=database, world=make_world(), clock=clock, server_key="kl_env.my-secret"
    )
    with LocalServer(settings=settings) as server:
        response = call(server, "Bearer kl_env.my-secret")
    assert server.settings.server_key == "kl_env.my-secret"
    assert response.json()["apiKey"]["prefix"] == "kl_env"


def test_generated_key_survives_a_restart(database: str, clock: FakeClock) -> None:
    settings = Settings(database=database, world=make_world(), clock=clock, server_key=None)
    with LocalServer(settings=settings) as first:
        key = first.api_key
    with LocalServer(settings=settings) as second:
        assert second.api_key == key
        assert call(second, f"Bearer {key}").status_code == 200


def test_fake_clock_with_real_intervals_refills_without_advancing() -> None:
    clock = FakeClock(real_intervals=True)
    before = clock.monotonic()
    time.sleep(0.05)
    assert clock.monotonic() - before >= 0.05
    frozen = clock.now()
    time.sleep(0.01)
    assert clock.now() == frozen
