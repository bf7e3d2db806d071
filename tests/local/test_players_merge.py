"""Merging players: sums on collisions, the ledger invariant, reassignment, refusals, no-ops."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from kraty_local.store.schema import (
    attempts,
    friends,
    grants,
    inventory,
    inventory_ledger,
    leaderboard_entries,
    lobby_members,
    players,
    wallet_ledger,
    wallets,
)
from tests._http import http_lib

from .helpers import count, outbox_count, seg
from .player_seed import AT, attempt_row, column_values, insert, lobby, player_id, score_row


def merge(client: http_lib.Client, source: str, target: str, key: str = "m") -> http_lib.Response:
    return client.post(
        f"/players/{seg(source)}/merge-into/{seg(target)}", json={"idempotencyKey": key}
    )


def change(client: http_lib.Client, player: str, route: str, key: str, **body: Any) -> None:
    response = client.post(f"/players/{seg(player)}/{route}", json={"idempotencyKey": key, **body})
    assert response.status_code in (200, 201), response.text


def books(engine: Engine) -> dict[tuple[str, str], tuple[int, int]]:
    """(player, key) -> (holding, ledger sum) for every wallet and inventory row."""
    result = {}
    with engine.connect() as conn:
        for holding, ledger, key, amount, fk in (
            (wallets, wallet_ledger, "economy_key", "balance", "wallet_id"),
            (inventory, inventory_ledger, "item_key", "quantity", "inventory_id"),
        ):
            sums = dict(
                conn.execute(
                    select(ledger.c[fk], func.sum(ledger.c.delta)).group_by(ledger.c[fk])
                ).all()
            )
            for row in conn.execute(select(holding)):
                mapping = row._mapping
                result[(mapping["player_id"], mapping[key])] = (
                    int(mapping[amount]),
                    int(sums.get(row.id, 0)),
                )
    return result


def test_merge_adds_up_holdings_and_keeps_the_books(
    client: http_lib.Client, engine: Engine
) -> None:
    change(client, "guest", "wallet/gold/credit", "1", amount=100)
    change(client, "guest", "wallet/gems/credit", "2", amount=7)
    change(client, "guest", "inventory/sword/grant", "3", quantity=2)
    change(
        client,
        "guest",
        "grants",
        "4",
        entries=[{"type": "currency", "currencyKey": "gold", "amount": 1}],
    )
    change(client, "main", "wallet/gold/credit", "1", amount=400)
    change(client, "main", "inventory/sword/grant", "2", quantity=1)
    change(client, "main", "inventory/health_potion/grant", "3", quantity=5)
    guest, main = player_id(engine, "guest"), player_id(engine, "main")

    response = merge(client, "guest", "main")

    assert response.status_code == 200, response.text
    out = response.json()["data"]
    placeholder = out["anonymizedExternalPlayerId"]
    assert placeholder.startswith("__merged_")
    assert placeholder.endswith("__")
    assert out == {
        "fromPlayerId": guest,
        "fromExternalPlayerId": "guest",
        "toPlayerId": main,
        "toExternalPlayerId": "main",
        "anonymizedExternalPlayerId": placeholder,
        "counts": {
            "attemptsReassigned": 0,
            "grantsReassigned": 1,
            "itemsMerged": 1,
            "itemLedgerRowsMoved": 2,
            "walletsMerged": 2,
            "walletLedgerRowsMoved": 4,
            "lobbiesTouched": 0,
            "leaderboardsScrubbed": 0,
        },
        "mergedAt": "2030-01-01T00:00:00.000Z",
        "status": "merged",
    }
    snap = client.get("/players/main").json()["data"]
    assert {w["economyKey"]: w["balance"] for w in snap["wallet"]} == {"gold": 500, "gems": 7}
    assert {i["itemKey"]: i["quantity"] for i in snap["inventory"]} == {
        "sword": 3,
        "health_potion": 5,
    }
    assert len(snap["recentGrants"]) == 1
    ledger = books(engine)
    assert all(held == summed for held, summed in ledger.values()), ledger
    assert ledger[(guest, "gold")] == (0, 0)
    assert ledger[(main, "gold")] == (500, 500)
    with engine.connect() as conn:
        source = conn.execute(select(players).where(players.c.id == guest)).one()
    assert (source.external_player_id, source.merged_into_id) == (placeholder, main)
    assert outbox_count(engine, "player.merged") == 1
    assert client.get("/players/guest").status_code == 404

    # the source id is free for re-registration, and a re-merge of the pair is a no-op
    change(client, "guest", "wallet/gold/credit", "fresh", amount=1)
    assert player_id(engine, "guest") not in (guest, main)
    client.post("/players/guest/delete", json={"idempotencyKey": "del"})
    again = merge(client, "guest", "main", key="m2").json()["data"]
    assert again["status"] == "no_op_already_merged"
    assert (again["fromPlayerId"], again["anonymizedExternalPlayerId"]) == (guest, placeholder)
    assert set(again["counts"].values()) == {0}
    replay = merge(client, "guest", "main")
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["data"] == out
    assert outbox_count(engine, "player.merged") == 1


def test_merge_reassigns_history_and_resolves_collisions(
    client: http_lib.Client, engine: Engine
) -> None:
    for name in ("src", "dst", "pal"):
        change(client, name, "wallet/gold/credit", "c", amount=1)
    src, dst, pal = (player_id(engine, n) for n in ("src", "dst", "pal"))
    insert(
        engine,
        attempts,
        attempt_row(src, "run-1"),
        attempt_row(src, "shared"),
        attempt_row(dst, "shared"),
    )
    shared_lobby = lobby(engine, src, dst)
    own_lobby = lobby(engine, src)
    insert(
        engine,
        leaderboard_entries,
        score_row(src, "weekly", 50),
        score_row(dst, "weekly", 10),
        score_row(src, "alltime", 99),
    )
    insert(
        engine,
        friends,
        {"player_id": src, "friend_player_id": pal, "created_at": AT},
        {"player_id": src, "friend_player_id": dst, "created_at": AT},
    )

    counts = merge(client, "src", "dst").json()["data"]["counts"]

    assert counts["attemptsReassigned"] == 1
    assert counts["lobbiesTouched"] == 2
    assert counts["leaderboardsScrubbed"] == 1
    assert sorted(column_values(engine, attempts.c.attempt_key, attempts.c.player_id == dst)) == [
        "run-1",
        "shared",
    ]
    assert column_values(engine, attempts.c.attempt_key, attempts.c.player_id == src) == ["shared"]
    assert sorted(
        column_values(engine, lobby_members.c.lobby_id, lobby_members.c.player_id == dst)
    ) == sorted([shared_lobby, own_lobby])
    assert count(engine, lobby_members, lobby_members.c.player_id == src) == 0
    with engine.connect() as conn:
        boards = dict(
            conn.execute(
                select(leaderboard_entries.c.leaderboard_key, leaderboard_entries.c.score)
            ).all()
        )
    assert boards == {"weekly": 10, "alltime": 99}  # the target's own score stands
    assert client.get("/players/dst/friends").json()["data"]["friends"] == [
        {
            "externalPlayerId": "pal",
            "displayIdentity": None,
            "friendsSince": "2030-01-01T00:00:00.000Z",
            "online": False,
            "lastActiveAt": None,
            "status": None,
        }
    ]
    assert count(engine, grants) == 0


@pytest.mark.parametrize(
    ("source", "target", "status", "code"),
    [
        ("a", "a", 422, "conflict"),
        ("a", "banned", 422, "conflict"),
        ("nobody", "a", 404, "not_found"),
        ("a", "nobody", 404, "not_found"),
    ],
)
def test_merge_refusals(
    client: http_lib.Client, engine: Engine, source: str, target: str, status: int, code: str
) -> None:
    for name in ("a", "banned"):
        change(client, name, "wallet/gold/credit", "c", amount=1)
    change(client, "banned", "ban", "b", reason="chargeback fraud")

    response = merge(client, source, target)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert outbox_count(engine, "player.merged") == 0
    assert client.get("/players/a").status_code == 200


def test_merge_into_an_erased_player_is_a_conflict(client: http_lib.Client, engine: Engine) -> None:
    change(client, "a", "wallet/gold/credit", "c", amount=1)
    change(client, "b", "wallet/gold/credit", "c", amount=1)
    erased = client.post("/players/b/delete", json={"idempotencyKey": "d"}).json()["data"]

    response = merge(client, "a", erased["anonymizedExternalId"])

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "conflict"
    assert merge(client, "a", "b", key="m2").status_code == 404


def test_item_parameters_travel_to_a_target_without_them(
    client: http_lib.Client, engine: Engine
) -> None:
    entry = {"type": "item", "itemKey": "sword", "quantity": 1, "parameters": {"atk": 4}}
    grant = client.post("/players/a/grants", json={"idempotencyKey": "g", "entries": [entry]})
    grant_id = grant.json()["data"]["id"]
    client.post(f"/players/a/grants/{grant_id}/ack", json={"idempotencyKey": "ack"})
    change(client, "b", "wallet/gold/credit", "c", amount=1)

    merge(client, "a", "b")

    with engine.connect() as conn:
        params = conn.execute(
            select(inventory.c.parameters).where(inventory.c.player_id == player_id(engine, "b"))
        ).scalar_one()
    assert params == {"atk": 4}


def test_opposite_concurrent_merges_serialize(client: http_lib.Client, engine: Engine) -> None:
    pairs = [(f"a{i}", f"b{i}") for i in range(6)]
    for a, b in pairs:
        change(client, a, "wallet/gold/credit", "c", amount=1)
        change(client, b, "wallet/gold/credit", "c", amount=2)
    jobs = [(a, b) for a, b in pairs] + [(b, a) for a, b in pairs]

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(lambda job: merge(client, *job).status_code, jobs))

    for i in range(len(pairs)):
        assert sorted([statuses[i], statuses[i + len(pairs)]]) == [200, 404]
    assert outbox_count(engine, "player.merged") == len(pairs)
    assert sorted(column_values(engine, wallets.c.balance, wallets.c.balance > 0)) == [3] * len(
        pairs
    )
    assert all(held == summed for held, summed in books(engine).values())
