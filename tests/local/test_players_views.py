"""Player snapshot, GDPR export (caps, 404) and the social lists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from kraty_local.clock import FakeClock
from kraty_local.store.schema import (
    attempts,
    audit_log,
    blocks,
    friend_requests,
    friends,
    grants,
    players,
    wallet_ledger,
    wallets,
)
from kraty_local.timefmt import iso
from tests._http import http_lib

from .helpers import count, outbox_count, seg
from .player_seed import AT, GAME, attempt_row, insert, lobby, player_id
from .test_http import AWKWARD_IDS


def credit(
    client: http_lib.Client, player: str, key: str, amount: int, currency: str = "gold"
) -> None:
    response = client.post(
        f"/players/{seg(player)}/wallet/{currency}/credit",
        json={"amount": amount, "idempotencyKey": key},
    )
    assert response.status_code == 200, response.text


def grant(client: http_lib.Client, player: str, key: str, amount: int = 1) -> str:
    response = client.post(
        f"/players/{seg(player)}/grants",
        json={
            "idempotencyKey": key,
            "entries": [{"type": "currency", "currencyKey": "gems", "amount": amount}],
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def test_snapshot_shows_holdings_and_the_newest_grants_first(
    client: http_lib.Client, clock: FakeClock
) -> None:
    credit(client, "player_42", "r1", 500)
    credit(client, "player_42", "r2", 30, "gems")
    client.post(
        "/players/player_42/inventory/sword/grant", json={"quantity": 2, "idempotencyKey": "i"}
    )
    grant_ids = []
    for i in range(22):
        clock.advance(timedelta(seconds=1))
        grant_ids.append(grant(client, "player_42", f"g{i}"))
    client.post(f"/players/player_42/grants/{grant_ids[-1]}/ack", json={"idempotencyKey": "a"})

    response = client.get("/players/player_42")

    assert response.status_code == 200
    snap = response.json()["data"]
    assert snap["player"] == {
        "id": snap["player"]["id"],
        "externalPlayerId": "player_42",
        "studioId": "studio_1",
        "gameId": "game_1",
        "createdAt": "2030-01-01T00:00:00.000Z",
        "updatedAt": "2030-01-01T00:00:00.000Z",
    }
    assert [(w["economyKey"], w["balance"]) for w in snap["wallet"]] == [
        ("gems", 31),
        ("gold", 500),
    ]
    assert {w["metadata"] == {} for w in snap["wallet"]} == {True}
    assert snap["inventory"] == [
        {
            "itemKey": "sword",
            "quantity": 2,
            "metadata": {},  # always an object
            "createdAt": "2030-01-01T00:00:00.000Z",
            "updatedAt": "2030-01-01T00:00:00.000Z",
        }
    ]
    assert [g["id"] for g in snap["recentGrants"]] == grant_ids[::-1][:20]
    assert snap["recentGrants"][0]["status"] == "claimed"


@pytest.mark.parametrize("route", ["", "/export", "/friends", "/friends/requests", "/blocks"])
def test_unknown_player_is_not_found(client: http_lib.Client, route: str) -> None:
    response = client.get(f"/players/nobody{route}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_awkward_ids_reach_their_own_snapshot(client: http_lib.Client) -> None:
    for i, external_id in enumerate(AWKWARD_IDS):
        credit(client, external_id, "k", i + 1)
    for i, external_id in enumerate(AWKWARD_IDS):
        snap = client.get(f"/players/{seg(external_id)}").json()["data"]
        assert snap["player"]["externalPlayerId"] == external_id
        assert snap["wallet"][0]["balance"] == i + 1
        exported = client.get(f"/players/{seg(external_id)}/export").json()["data"]
        assert exported["player"]["externalPlayerId"] == external_id


def test_export_bundles_everything_held_about_the_player(
    client: http_lib.Client, engine: Engine
) -> None:
    credit(client, "p", "r1", 500)
    client.post("/players/p/inventory/sword/grant", json={"quantity": 1, "idempotencyKey": "i"})
    grant_id = grant(client, "p", "g")
    client.post("/players/p/ban", json={"reason": "bot", "idempotencyKey": "b"})
    client.put("/players/p/identity", json={"name": "Ana", "idempotencyKey": "n"})
    me = player_id(engine, "p")
    insert(engine, attempts, attempt_row(me, "run-1"))
    lobby_id = lobby(engine, me)

    response = client.get("/players/p/export")

    assert response.status_code == 200
    bundle = response.json()["data"]
    assert bundle["schemaVersion"] == 1
    assert bundle["exportedAt"] == "2030-01-01T00:00:00.000Z"
    assert bundle["player"] == {
        "id": me,
        "externalPlayerId": "p",
        "studioId": "studio_1",
        "gameId": "game_1",
        "firstSeenAt": "2030-01-01T00:00:00.000Z",  # always set when the player is created
        "lastSeenAt": "2030-01-01T00:00:00.000Z",
        "lastContextSnapshot": None,
        "registeredAt": "2030-01-01T00:00:00.000Z",
        "secretRotatedAt": None,
        "deletedAt": None,
        "createdAt": "2030-01-01T00:00:00.000Z",
        "updatedAt": "2030-01-01T00:00:00.000Z",
        "bannedAt": "2030-01-01T00:00:00.000Z",
        "banReason": "bot",
        "syntheticIdentity": {"name": "Ana"},  # no avatar, no key
        "country": None,
    }
    assert [a["attemptId"] for a in bundle["attempts"]] == ["run-1"]
    assert (bundle["friends"], bundle["blocked"]) == ([], [])
    assert bundle["friendRequests"] == {"incoming": [], "outgoing": []}
    assert [g["id"] for g in bundle["grants"]] == [grant_id]
    assert [(i["itemKey"], i["quantity"]) for i in bundle["inventory"]] == [("sword", 1)]
    assert [(w["economyKey"], w["balance"]) for w in bundle["wallet"]] == [("gold", 500)]
    assert bundle["lobbies"] == [
        {
            "id": lobby_id,
            "eventId": "weekly_race",
            "status": "active",
            "createdAt": "2030-01-01T00:00:00.000Z",
            "joinedAt": "2030-01-01T00:00:00.000Z",
        }
    ]
    assert [(r["economyKey"], r["delta"], r["balanceAfter"]) for r in bundle["walletLedger"]] == [
        ("gold", 500, 500)
    ]
    assert [(r["itemKey"], r["delta"]) for r in bundle["inventoryLedger"]] == [("sword", 1)]
    actor = bundle["walletLedger"][0]["actor"]
    assert actor.startswith("api_key:")
    actions = [(a["action"], a["actor"]) for a in bundle["audit"]]
    assert ("player.ban", actor) in actions
    assert actions[-1] == ("player.registered", actor)  # newest first
    assert bundle["truncated"] == []


def test_export_caps_every_list_at_1000_rows(client: http_lib.Client, engine: Engine) -> None:
    credit(client, "p", "r1", 5)
    me = player_id(engine, "p")
    with engine.connect() as conn:
        wallet_id = conn.execute(wallets.select()).first().id  # type: ignore[union-attr]
    n = 1001
    insert(engine, attempts, *(attempt_row(me, f"run-{i}") for i in range(n)))
    insert(
        engine,
        grants,
        *(
            {
                **GAME,
                "id": f"g-{i:05d}",
                "player_id": me,
                "kind": "reward",
                "contents": {"entries": []},
                "source_kind": "api",
                "status": "pending",
                "created_at": AT + timedelta(seconds=i),
            }
            for i in range(n)
        ),
    )
    insert(
        engine,
        wallet_ledger,
        *(
            {
                "wallet_id": wallet_id,
                "player_id": me,
                "economy_key": "gold",
                "delta": 0,
                "balance_after": 5,
                "source_kind": "api",
                "actor": "seed",
                "created_at": AT,
            }
            for _ in range(n)
        ),
    )
    insert(
        engine,
        audit_log,
        *({**GAME, "actor": "seed", "action": "seed", "player_id": me, "at": AT} for _ in range(n)),
    )

    bundle = client.get("/players/p/export").json()["data"]

    for name in ("attempts", "grants", "walletLedger", "audit"):
        assert len(bundle[name]) == 1000, name
    assert sorted(bundle["truncated"]) == ["attempts", "audit", "grants", "walletLedger"]
    assert bundle["grants"][0]["id"] == f"g-{n - 1:05d}"  # the newest rows are kept
    assert len(bundle["wallet"]) == 1
    assert bundle["truncated"].count("wallet") == 0


def test_social_lists_show_the_rows_the_tables_hold(
    client: http_lib.Client, engine: Engine, clock: FakeClock
) -> None:
    for name in ("me", "ann", "bob", "cy", "dee"):
        credit(client, name, "k", 1)
    me, ann, bob, cy, dee = (player_id(engine, n) for n in ("me", "ann", "bob", "cy", "dee"))
    later = AT + timedelta(hours=1)
    insert(
        engine,
        friends,
        {"player_id": me, "friend_player_id": ann, "created_at": AT},
        {"player_id": ann, "friend_player_id": me, "created_at": later},  # both sides stored
        {"player_id": bob, "friend_player_id": me, "created_at": later},  # one side only
    )
    insert(
        engine,
        friend_requests,
        {
            "id": "req-in",
            "from_player_id": cy,
            "to_player_id": me,
            "status": "pending",
            "created_at": AT,
            "updated_at": AT,
        },
        {
            "id": "req-out",
            "from_player_id": me,
            "to_player_id": dee,
            "status": "pending",
            "created_at": AT,
            "updated_at": AT,
        },
        {
            "id": "req-old",
            "from_player_id": bob,
            "to_player_id": me,
            "status": "declined",
            "created_at": AT,
            "updated_at": AT,
        },
    )
    insert(engine, blocks, {"player_id": me, "blocked_player_id": dee, "created_at": later})
    client.put("/players/ann/identity", json={"name": "Ann", "idempotencyKey": "n"})
    client.put(
        "/players/dee/identity", json={"name": "Dee", "avatar": "a.png", "idempotencyKey": "n"}
    )
    set_player(engine, ann, country="PT")
    set_player(engine, bob, last_active_at=AT - timedelta(minutes=5), presence_status="afk")
    clock.advance(timedelta(hours=2))

    assert client.get("/players/me/friends").json()["data"] == {
        "friends": [
            {
                "externalPlayerId": "ann",
                "displayIdentity": {"name": "Ann", "avatar": None, "country": "PT"},
                "friendsSince": iso(AT),
                "online": False,
                "lastActiveAt": None,
                "status": None,
            },
            {
                "externalPlayerId": "bob",
                "displayIdentity": None,  # no name was ever set
                "friendsSince": iso(later),
                "online": False,  # a heartbeat long ago is not presence
                "lastActiveAt": "2029-12-31T23:55:00.000Z",
                "status": "afk",
            },
        ]
    }
    assert client.get("/players/me/friends/requests").json()["data"] == {
        "incoming": [
            {
                "requestId": "req-in",
                "direction": "incoming",
                "player": {"externalPlayerId": "cy", "displayIdentity": None},
                "createdAt": iso(AT),
            }
        ],
        "outgoing": [
            {
                "requestId": "req-out",
                "direction": "outgoing",
                "player": {
                    "externalPlayerId": "dee",
                    "displayIdentity": {"name": "Dee", "avatar": "a.png", "country": None},
                },
                "createdAt": iso(AT),
            }
        ],
    }
    dee_identity = {"name": "Dee", "avatar": "a.png", "country": None}
    assert client.get("/players/me/blocks").json()["data"] == {
        "blocked": [
            {"externalPlayerId": "dee", "displayIdentity": dee_identity, "blockedAt": iso(later)}
        ]
    }
    assert (
        client.get("/players/ann/friends").json()["data"]["friends"][0]["externalPlayerId"] == "me"
    )
    assert client.get("/players/dee/blocks").json()["data"] == {"blocked": []}
    exported = client.get("/players/me/export").json()["data"]
    assert [f["externalPlayerId"] for f in exported["friends"]] == ["ann", "bob"]
    assert [r["requestId"] for r in exported["friendRequests"]["incoming"]] == ["req-in"]
    assert [b["externalPlayerId"] for b in exported["blocked"]] == ["dee"]
    assert "blocks" not in exported


def test_friends_are_online_only_with_a_heartbeat_in_the_last_minute(
    client: http_lib.Client, engine: Engine, clock: FakeClock
) -> None:
    for name in ("me", "pal"):
        credit(client, name, "k", 1)
    me, pal = player_id(engine, "me"), player_id(engine, "pal")
    insert(engine, friends, {"player_id": me, "friend_player_id": pal, "created_at": AT})
    set_player(engine, pal, last_active_at=AT, presence_status="in_match")

    def presence() -> tuple[bool, str | None, str | None]:
        row = client.get("/players/me/friends").json()["data"]["friends"][0]
        return row["online"], row["lastActiveAt"], row["status"]

    assert presence() == (True, iso(AT), "in_match")
    clock.advance(timedelta(seconds=59))
    assert presence() == (True, iso(AT), "in_match")
    clock.advance(timedelta(seconds=1))
    assert presence() == (False, iso(AT), "in_match")  # the last heartbeat stays visible


def test_identity_needs_an_existing_player_and_replaces_name_and_avatar(
    client: http_lib.Client, engine: Engine
) -> None:
    unknown = client.put("/players/newbie/identity", json={"name": "Zé", "idempotencyKey": "i1"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    assert count(engine, players) == 0
    assert outbox_count(engine, "player.registered") == 0

    credit(client, "newbie", "c", 1)
    me = player_id(engine, "newbie")
    # a 404 is not stored: the same key applies once the player exists
    first = client.put(
        "/players/newbie/identity",
        json={"name": "Zé", "avatar": "https://cdn.example/a.png", "idempotencyKey": "i1"},
    )
    set_player(engine, me, country="BR")
    second = client.put("/players/newbie/identity", json={"name": "Zed", "idempotencyKey": "i2"})
    replay = client.put("/players/newbie/identity", json={"name": "Zed", "idempotencyKey": "i2"})

    anonymized = first.json()["data"]["anonymizedIdentity"]
    assert first.json()["data"] == {
        "externalPlayerId": "newbie",
        "syntheticIdentity": {"name": "Zé", "avatar": "https://cdn.example/a.png"},
        "displayIdentity": {"name": "Zé", "avatar": "https://cdn.example/a.png", "country": None},
        "anonymizedIdentity": {"name": anonymized["name"], "avatar": None, "country": None},
    }
    assert second.json()["data"] == {
        "externalPlayerId": "newbie",
        "syntheticIdentity": {"name": "Zed"},
        "displayIdentity": {"name": "Zed", "avatar": None, "country": "BR"},
        # the same stand-in whatever the name: it comes from the internal id, with the country
        "anonymizedIdentity": {**anonymized, "country": "BR"},
    }
    assert replay.headers.get("Idempotent-Replayed") == "true"
    exported = client.get("/players/newbie/export").json()["data"]
    assert exported["player"]["syntheticIdentity"] == {"name": "Zed"}
    assert exported["player"]["country"] == "BR"
    bad = client.put("/players/newbie/identity", json={"name": "", "idempotencyKey": "i3"})
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["field"] == "name"


def test_anonymized_identity_is_stable_private_and_distinct(client: http_lib.Client) -> None:
    names = {}
    for external_id in ("alice@example.com", "bob", "carol"):
        credit(client, external_id, "c", 1)
        body = {"name": external_id, "idempotencyKey": "a"}
        first = client.put(f"/players/{seg(external_id)}/identity", json=body)
        again = client.put(
            f"/players/{seg(external_id)}/identity", json={**body, "idempotencyKey": "b"}
        )
        anonymized = first.json()["data"]["anonymizedIdentity"]
        assert again.json()["data"]["anonymizedIdentity"] == anonymized
        assert external_id not in anonymized["name"]
        names[external_id] = anonymized["name"]
    assert len(set(names.values())) == 3


def set_player(engine: Engine, player: str, **values: Any) -> None:
    """Set columns no route writes yet (country, heartbeats)."""
    with engine.begin() as conn:
        conn.execute(players.update().where(players.c.id == player).values(**values))
