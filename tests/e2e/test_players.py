"""Players through the SDK: snapshot, GDPR delete/export, bans, merges, identity, social lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kraty_admin import KratyServerError
from kraty_admin.testing import KratyLocal
from kraty_local.services.board_rules import NEVER_RESET_PERIOD
from kraty_local.store.schema import (
    attempts,
    blocks,
    friends,
    leaderboard_entries,
    players,
    wallet_ledger,
    wallets,
    webhook_outbox,
)

AWKWARD = "ünï/cødé?#%2F 玩家"


def events(kraty: KratyLocal, name: str) -> int:
    with kraty.server.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).where(webhook_outbox.c.event_name == name)
            ).scalar_one()
        )


def row_id(kraty: KratyLocal, external_id: str) -> str:
    with kraty.server.engine.connect() as conn:
        return str(
            conn.execute(
                select(players.c.id).where(players.c.external_player_id == external_id)
            ).scalar_one()
        )


def test_snapshot_after_credits_and_grants(kraty: KratyLocal) -> None:
    client = kraty.client
    client.wallet.credit(AWKWARD, "gold", amount=500, idempotency_key="r1")
    client.inventory.grant(AWKWARD, "starter_chest", quantity=1, idempotency_key="r1")
    older = client.grants.create(
        AWKWARD, "g1", [{"type": "currency", "currencyKey": "gems", "amount": 5}]
    )
    kraty.clock.advance(timedelta(minutes=1))
    newer = client.grants.create(
        AWKWARD, "g2", [{"type": "currency", "currencyKey": "gems", "amount": 6}]
    )
    client.grants.ack(AWKWARD, newer["id"])

    snap = client.players.get(AWKWARD)

    assert snap["player"]["externalPlayerId"] == AWKWARD
    assert [(w["economyKey"], w["balance"]) for w in snap["wallet"]] == [
        ("gems", 6),
        ("gold", 500),
    ]
    assert [(i["itemKey"], i["quantity"]) for i in snap["inventory"]] == [("starter_chest", 1)]
    assert [g["id"] for g in snap["recentGrants"]] == [newer["id"], older["id"]]
    assert snap["recentGrants"][0]["status"] == "claimed"


def test_unknown_player_is_not_found_everywhere(kraty: KratyLocal) -> None:
    players_api = kraty.client.players
    for call in (
        lambda: players_api.get("nobody"),
        lambda: players_api.export("nobody"),
        lambda: players_api.ban("nobody", reason="x"),
        lambda: players_api.unban("nobody"),
        lambda: players_api.friends("nobody"),
        lambda: players_api.friend_requests("nobody"),
        lambda: players_api.blocks("nobody"),
    ):
        with pytest.raises(KratyServerError) as caught:
            call()
        assert caught.value.is_not_found
        assert caught.value.status == 404


def test_gdpr_erasure_flow(kraty: KratyLocal) -> None:
    client = kraty.client
    client.wallet.credit("player_42", "gold", amount=500, idempotency_key="iap")
    me = row_id(kraty, "player_42")
    with kraty.server.engine.begin() as conn:
        now = kraty.clock.now()
        common = {"studio_id": "studio_1", "game_id": "game_1", "player_id": me}
        conn.execute(
            attempts.insert().values(
                **common,
                id="att-1",
                event_key="weekly_race",
                attempt_key="run-1",
                status="completed",
                metrics={"ip": "203.0.113.7"},
                started_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        conn.execute(
            leaderboard_entries.insert().values(
                **common,
                leaderboard_key="weekly",
                segment="",
                period_start=NEVER_RESET_PERIOD,
                score=42,
                created_at=now,
                updated_at=now,
            )
        )
    bundle = client.players.export("player_42")
    assert bundle["attempts"][0]["metrics"] == {"ip": "203.0.113.7"}

    out = client.players.delete("player_42", reason="gdpr_erasure")

    assert out["status"] == "erased"
    assert (out["attemptsAnonymized"], out["leaderboardsScrubbed"]) == (1, 1)
    assert events(kraty, "player.deleted") == 1
    assert client.players.delete("player_42")["status"] == "no_op_already_erased"
    assert client.players.delete("never_seen")["status"] == "no_op_never_existed"
    with pytest.raises(KratyServerError) as caught:
        client.players.export("player_42")
    assert caught.value.is_not_found
    with kraty.server.engine.connect() as conn:
        ledger_owner = conn.execute(select(wallet_ledger.c.player_id)).scalar_one()
    assert ledger_owner == me  # the ledger is retained, pointing at the anonymized row
    fresh = client.wallet.credit("player_42", "gold", amount=1, idempotency_key="iap-2")
    assert fresh["balance"] == 1


def test_soft_ban_round_trip(kraty: KratyLocal) -> None:
    client = kraty.client
    client.wallet.credit("cheater", "gold", amount=10, idempotency_key="c")

    first = client.players.ban("cheater", reason="score anomaly: gained 5000 in 2s")
    second = client.players.ban("cheater", reason="confirmed by support")
    still_works = client.wallet.debit("cheater", "gold", amount=3, idempotency_key="d")
    lifted = client.players.unban("cheater")
    noop = client.players.unban("cheater")

    assert (first["applied"], second["applied"]) == (True, False)
    assert second["reason"] == "confirmed by support"
    assert second["bannedAt"] == first["bannedAt"]
    assert still_works["balance"] == 7
    assert (lifted["applied"], noop["applied"]) == (True, False)
    assert isinstance(noop["unbannedAt"], str)  # always a string: the time of the call
    assert (events(kraty, "player.banned"), events(kraty, "player.unbanned")) == (1, 1)
    audit = client.players.export("cheater")["audit"]
    assert [a["action"] for a in audit if a["action"].startswith("player.")] == [
        "player.unban",
        "player.unban",
        "player.ban",
        "player.ban",
        "player.registered",
    ]
    assert all(a["actor"].startswith("api_key:") for a in audit)


def test_merge_flow(kraty: KratyLocal) -> None:
    client = kraty.client
    client.wallet.credit("guest_1", "gold", amount=120, idempotency_key="a")
    client.inventory.grant("guest_1", "sword", quantity=1, idempotency_key="b")
    client.wallet.credit("account_9", "gold", amount=80, idempotency_key="a")

    out = client.players.merge("guest_1", "account_9")

    assert out["status"] == "merged"
    assert out["counts"]["walletsMerged"] == 1
    assert out["counts"]["itemsMerged"] == 1
    snap = client.players.get("account_9")
    assert snap["wallet"][0]["balance"] == 200
    with kraty.server.engine.connect() as conn:
        for wallet in conn.execute(select(wallets)):
            summed = conn.execute(
                select(func.sum(wallet_ledger.c.delta)).where(
                    wallet_ledger.c.wallet_id == wallet.id
                )
            ).scalar_one()
            assert wallet.balance == summed
    assert client.players.merge("guest_1", "account_9")["status"] == "no_op_already_merged"
    assert client.wallet.credit("guest_1", "gold", amount=5, idempotency_key="x")["balance"] == 5
    assert events(kraty, "player.merged") == 1

    client.players.ban("account_9", reason="chargeback")
    for source, target in (("guest_1", "guest_1"), ("guest_1", "account_9")):
        with pytest.raises(KratyServerError) as caught:
            client.players.merge(source, target)
        assert caught.value.is_conflict
        assert caught.value.status == 422
    with pytest.raises(KratyServerError) as missing:
        client.players.merge("nobody", "guest_1")
    assert missing.value.is_not_found


def test_identity_and_social_lists(kraty: KratyLocal) -> None:
    client = kraty.client
    with pytest.raises(KratyServerError) as unknown:
        client.players.set_identity("newcomer", "Ana")
    assert unknown.value.is_not_found  # setting an identity registers nobody
    client.wallet.credit("newcomer", "gold", amount=1, idempotency_key="c")
    client.wallet.credit("pal", "gold", amount=1, idempotency_key="c")

    out = client.players.set_identity("newcomer", "Ana", avatar="https://cdn.example/ana.png")

    assert out == {
        "externalPlayerId": "newcomer",
        "syntheticIdentity": {"name": "Ana", "avatar": "https://cdn.example/ana.png"},
        "displayIdentity": {
            "name": "Ana",
            "avatar": "https://cdn.example/ana.png",
            "country": None,
        },
        "anonymizedIdentity": out["anonymizedIdentity"],
    }
    assert out["anonymizedIdentity"] is not None
    assert "Ana" not in out["anonymizedIdentity"]["name"]
    assert client.players.get("newcomer")["player"]["externalPlayerId"] == "newcomer"
    assert client.players.friends("newcomer") == []
    assert client.players.friend_requests("newcomer") == {"incoming": [], "outgoing": []}
    assert client.players.blocks("newcomer") == []
    pal, newcomer, at = row_id(kraty, "pal"), row_id(kraty, "newcomer"), kraty.clock.now()
    with kraty.server.engine.begin() as conn:  # no route writes social rows yet
        conn.execute(
            friends.insert().values(player_id=pal, friend_player_id=newcomer, created_at=at)
        )
        conn.execute(
            blocks.insert().values(player_id=pal, blocked_player_id=newcomer, created_at=at)
        )
    assert client.players.friends("pal") == [
        {
            "externalPlayerId": "newcomer",
            "displayIdentity": out["displayIdentity"],
            "friendsSince": client.players.friends("newcomer")[0]["friendsSince"],
            "online": False,  # no heartbeat
            "lastActiveAt": None,
            "status": None,
        }
    ]
    assert [
        (b["externalPlayerId"], b["displayIdentity"]) for b in client.players.blocks("pal")
    ] == [("newcomer", out["displayIdentity"])]
    assert client.players.friends("newcomer")[0]["displayIdentity"] is None  # pal set no name
