"""``/sdk/v1`` auth: client keys, player registration and secrets, and the soft ban."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from sqlalchemy import Engine, select

from kraty_admin import KratyServerError
from kraty_local.clock import FakeClock
from kraty_local.seeding import seed_database
from kraty_local.shared_server import Served
from kraty_local.store.schema import audit_log, players
from kraty_local.world import CLIENT_SDK, ServerKey, World
from tests._http import http_lib
from tests.local.helpers import make_world

from .conftest import PlayerFactory

LIVE_CLIENT_KEY = "kt_live_client.secret-live-client"
SDK_TEST_CLIENT_KEY = "kt_sdk_client.secret-sdk-client"
REGISTRATION_FIELDS = {
    "playerId",
    "externalPlayerId",
    "secret",
    "secretPrefix",
    "registeredAt",
    "country",
    "syntheticIdentity",
    "displayIdentity",
    "anonymizedIdentity",
}


@pytest.fixture
def world() -> World:
    """The test world plus a live and a test ``client_sdk`` key of game_1."""
    base = make_world()
    extra = (
        replace(
            ServerKey.from_plaintext(
                LIVE_CLIENT_KEY, studio_id="studio_1", game_id="game_1", permission_set=CLIENT_SDK
            ),
            environment="live",
        ),
        ServerKey.from_plaintext(
            SDK_TEST_CLIENT_KEY, studio_id="studio_1", game_id="game_1", permission_set=CLIENT_SDK
        ),
    )
    return replace(base, keys=base.keys + extra)


def _error(excinfo: pytest.ExceptionInfo[KratyServerError]) -> tuple[int, str]:
    return excinfo.value.status, excinfo.value.code


def test_register_answers_the_secret_once_and_stores_only_its_hash(
    player_of: PlayerFactory, engine: Engine
) -> None:
    player = player_of("p1", register=False)
    answer = player.register()
    assert set(answer) == REGISTRATION_FIELDS
    assert answer["externalPlayerId"] == "p1"
    assert answer["secret"].startswith(answer["secretPrefix"] + ".")
    assert answer["displayIdentity"] is None  # no name set yet
    assert answer["anonymizedIdentity"] is not None
    assert answer["syntheticIdentity"] == {"name": answer["anonymizedIdentity"]["name"]}
    with engine.connect() as conn:
        row = conn.execute(select(players).where(players.c.external_player_id == "p1")).one()
        audit = conn.execute(select(audit_log.c.details)).scalars().all()
    assert answer["secret"] not in repr(tuple(row)) + repr(audit)
    assert row.secret_sha256 is not None
    assert len(row.secret_sha256) == 64
    assert "registered" in repr(player)
    assert answer["secret"] not in repr(player)

    with pytest.raises(KratyServerError) as again:
        player.register()
    assert _error(again) == (409, "player_already_registered")
    assert player.wallet() == []  # the first secret still works


def test_a_player_created_by_the_server_registers_once_with_its_country(
    client: http_lib.Client,
    player_of: PlayerFactory,
    engine: Engine,
    world: World,
    clock: FakeClock,
) -> None:
    credit = {"amount": 5, "idempotencyKey": "c1"}
    assert client.post("/players/p1/wallet/gold/credit", json=credit).status_code == 200
    seed = {
        "version": 1,
        "game": "game_1",
        "players": [{"externalPlayerId": "p1", "country": "PT"}],
    }
    seed_database(engine, world, seed, now=clock.now())
    player = player_of("p1", register=False)
    answer = player.register()
    assert answer["country"] == "PT"
    assert answer["anonymizedIdentity"]["country"] == "PT"
    assert player.balance("gold") == 5
    assert player_of("p2", register=False).register()["country"] is None  # unknown: null


def test_force_rotates_the_secret_at_once_on_test_keys_only(
    player_of: PlayerFactory,
) -> None:
    first = player_of("p1")
    second = player_of("p1", register=False)
    rotated = second.register(force=True)
    assert rotated["secret"] != first._secret
    with pytest.raises(KratyServerError) as old:
        first.wallet()
    assert _error(old) == (401, "player_secret_invalid")
    assert second.wallet() == []

    live = player_of("p1", register=False, client_key=LIVE_CLIENT_KEY)
    with pytest.raises(KratyServerError) as refused:
        live.register(force=True)
    assert _error(refused) == (403, "forbidden")


def test_secret_missing_wrong_or_of_another_player_is_401(
    player_of: PlayerFactory, raw: http_lib.Client, server: Served
) -> None:
    p1, p2 = player_of("p1"), player_of("p2")
    auth = {"Authorization": f"Bearer {server.client_key}"}
    assert p1._secret is not None
    assert p2._secret is not None
    cases = {
        "missing": ("/sdk/v1/players/p1/wallet", {}),
        "wrong": ("/sdk/v1/players/p1/wallet", {"X-Player-Secret": p1._secret + "x"}),
        "empty": ("/sdk/v1/players/p1/wallet", {"X-Player-Secret": ""}),
        "huge": ("/sdk/v1/players/p1/wallet", {"X-Player-Secret": "x" * 10_000}),
        "another player's": ("/sdk/v1/players/p1/wallet", {"X-Player-Secret": p2._secret}),
        "unknown player": ("/sdk/v1/players/nobody/wallet", {"X-Player-Secret": p1._secret}),
    }
    for name, (path, headers) in cases.items():
        answer = raw.get(path, headers={**auth, **headers})
        assert answer.status_code == 401, name
        assert answer.json()["error"]["code"] == "player_secret_invalid", name
        assert p1._secret not in answer.text
        assert p2._secret not in answer.text
    claim = raw.post(
        "/sdk/v1/players/p1/grants/00000000-0000-4000-8000-000000000000/claim",
        headers={**auth, "X-Player-Secret": p2._secret},
        json={"idempotencyKey": "k"},
    )
    assert claim.status_code == 401


def test_each_surface_takes_only_its_own_keys(
    raw: http_lib.Client, server: Served, player_of: PlayerFactory
) -> None:
    player = player_of("p1")
    assert player._secret is not None
    server_auth = {"Authorization": f"Bearer {server.api_key}", "X-Player-Secret": player._secret}
    client_auth = {"Authorization": f"Bearer {server.client_key}"}
    refused = [
        raw.get("/sdk/v1/players/p1/wallet", headers=server_auth),
        raw.post("/sdk/v1/players/p2/register", headers=server_auth, json={"idempotencyKey": "k"}),
        raw.get("/server/v1/ping", headers=client_auth),
        raw.get("/server/v1/players/p1", headers=client_auth),
        raw.get("/_local/webhooks/endpoints", headers=client_auth),
    ]
    for answer in refused:
        assert answer.status_code == 403, answer.request.url
        assert answer.json()["error"]["code"] == "forbidden"
    assert raw.get("/sdk/v1/players/p1/wallet").json()["error"]["code"] == "unauthenticated"


def test_the_ban_refuses_client_writes_until_unbanned(
    client: http_lib.Client, player_of: PlayerFactory, raw: http_lib.Client, server: Served
) -> None:
    player = player_of("p1")
    grant = {
        "idempotencyKey": "g1",
        "entries": [{"type": "currency", "currencyKey": "gold", "amount": 10}],
    }
    grant_id = client.post("/players/p1/grants", json=grant).json()["data"]["id"]
    assert (
        client.post(
            "/players/p1/ban", json={"reason": "cheating", "idempotencyKey": "b1"}
        ).status_code
        == 200
    )

    writes = {
        "claim": lambda: player.claim(grant_id, idempotency_key="claim-1"),
        "open": lambda: player.open_crate(grant_id),
        "debit": lambda: player.debit("gold", 1),
        "consume": lambda: player.consume("sword", 1),
        "register": lambda: player.register(force=True),
    }
    for name, write in writes.items():
        with pytest.raises(KratyServerError) as banned:
            write()
        assert _error(banned) == (403, "player_banned"), name
        assert banned.value.is_player_banned
    # reads still answer, server writes still work, a wrong secret is still a 401 first
    assert [g["id"] for g in player.pending_grants()] == [grant_id]
    assert (
        client.post(
            "/players/p1/wallet/gold/credit", json={"amount": 3, "idempotencyKey": "c"}
        ).status_code
        == 200
    )
    wrong = raw.post(
        f"/sdk/v1/players/p1/grants/{grant_id}/claim",
        headers={"Authorization": f"Bearer {server.client_key}", "X-Player-Secret": "ps_x.y"},
        json={"idempotencyKey": "claim-1"},
    )
    assert wrong.status_code == 401

    assert client.post("/players/p1/unban", json={"idempotencyKey": "u1"}).status_code == 200
    claimed = player.claim(grant_id, idempotency_key="claim-1")  # the refusal was not stored
    assert claimed["status"] == "claimed"
    assert player.balance("gold") == 13


def test_secrets_never_reach_the_logs(
    player_of: PlayerFactory, caplog: pytest.LogCaptureFixture, raw: http_lib.Client, server: Served
) -> None:
    caplog.set_level(logging.DEBUG)
    player = player_of("p1")
    secret = player._secret
    assert secret is not None
    raw.get(
        "/sdk/v1/players/p2/wallet",
        headers={"Authorization": f"Bearer {server.client_key}", "X-Player-Secret": secret},
    )
    player.register(force=True)
    assert caplog.records  # the server did log these requests
    assert secret not in caplog.text
    assert player._secret is not None
    assert player._secret not in caplog.text
