"""The wire contract through the SDK: error codes, idempotency rules, ids, ledgers, rate limits.

Each test drives ``KratyAdmin`` (and, through the ``kraty`` fixture, ``KratyAdminAsync``) against
a running Kraty Local, and checks the typed error properties the product page promises.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from kraty_admin import KratyAdmin, KratyServerError, RetryConfig
from kraty_admin.testing import KratyLocal
from kraty_local.store.schema import players, wallet_ledger, wallets
from kraty_local.world import World

from ..local.helpers import OTHER_GAME_KEY, OTHER_STUDIO_KEY, make_world

AWKWARD_IDS = ["a/b", "with space", "what?", "hash#tag", "100%", "ünïcødé-玩家", "..", "a%2Fb"]
NO_RETRY = RetryConfig(attempts=1)


@pytest.fixture
def kraty_local_world() -> World:
    """The default world, the test keys, and a disabled copy of ``quick_brawl``."""
    world = make_world()
    game = world.games["game_1"]
    disabled = replace(game.events["quick_brawl"], key="closed_brawl", enabled=False)
    events = {**game.events, "closed_brawl": disabled}
    return replace(world, games={**world.games, "game_1": replace(game, events=events)})


def raises(call: Callable[[], object]) -> KratyServerError:
    with pytest.raises(KratyServerError) as caught:
        call()
    return caught.value


def test_every_applicable_error_code_has_its_typed_property(kraty: KratyLocal) -> None:
    c = kraty.client
    kraty.client.wallet.credit("p", "gold", 10, idempotency_key="seed")
    cases: list[tuple[Callable[[], object], str, int]] = [
        (lambda: c.wallet.credit("p", "gold", 0), "is_validation_failed", 400),
        (lambda: c.wallet.credit("p", "gold", 2**64), "is_validation_failed", 400),
        (
            lambda: c.grants.create(
                "p", "g1", [{"type": "currency", "currencyKey": "diamonds", "amount": 1}]
            ),
            "is_invalid_metric",
            400,
        ),
        (
            lambda: c.leaderboards.submit_score("p", "event_points_board", 5),
            "is_score_not_supported",
            400,
        ),
        (lambda: c.wallet.credit("p", "rubies", 1), "is_not_found", 404),
        (lambda: c.players.get("nobody"), "is_not_found", 404),
        (lambda: c.grants.ack("p", "no-such-grant"), "is_not_found", 404),
        (lambda: c.lobbies.read("game_1", "no-such-lobby"), "is_not_found", 404),
        (lambda: c.wallet.debit("p", "gold", 11), "is_conflict", 409),
        (
            lambda: c.lobbies.push("game_1", "weekly_race", "lb1", ["p"]),
            "is_conflict",
            409,
        ),
        (
            lambda: c.lobbies.push("game_1", "closed_brawl", "lb2", ["p"]),
            "is_event_disabled",
            409,
        ),
        (lambda: c.lobbies.push("game_2", "quick_brawl", "lb3", ["p"]), "is_forbidden", 403),
        (lambda: c.lobbies.push("game_3", "quick_brawl", "lb4", ["p"]), "is_tenant_mismatch", 403),
        (lambda: c.players.merge("p", "p"), "is_conflict", 422),
    ]
    for call, prop, status in cases:
        err = raises(call)
        assert getattr(err, prop), (prop, err)
        assert err.status == status, (prop, err)
        assert err.api_message


def test_bad_keys_are_session_invalid_or_forbidden(kraty_local: KratyLocal) -> None:
    unknown = kraty_local.make_client(api_key="kt_nope.wrong-secret", retry=NO_RETRY)
    assert raises(unknown.health.ping).is_session_invalid
    malformed = kraty_local.make_client(api_key="no-dot-in-this-key", retry=NO_RETRY)
    assert raises(malformed.health.ping).is_session_invalid
    other_game = kraty_local.make_client(api_key=OTHER_GAME_KEY)
    assert other_game.health.ping()["apiKey"]["gameId"] == "game_2"
    other_studio = kraty_local.make_client(api_key=OTHER_STUDIO_KEY)
    err = raises(lambda: other_studio.lobbies.read("game_1", "x"))
    assert err.is_tenant_mismatch


def test_validation_errors_name_the_fields(kraty: KratyLocal) -> None:
    err = raises(
        lambda: kraty.client.grants.create(
            "p", "g", [{"type": "currency", "currencyKey": "gold", "amount": -5}]
        )
    )
    assert err.is_validation_failed
    fields = [detail["field"] for detail in err.details]
    assert any("amount" in field for field in fields), err.details


def test_idempotency_is_scoped_per_endpoint_and_path(kraty: KratyLocal) -> None:
    c = kraty.client
    assert c.wallet.credit("p", "gold", 5, idempotency_key="receipt")["applied"]
    assert c.inventory.grant("p", "sword", 1, idempotency_key="receipt")["applied"]
    assert c.wallet.credit("q", "gold", 5, idempotency_key="receipt")["applied"]
    assert not c.wallet.credit("p", "gold", 5, idempotency_key="receipt")["applied"]
    debit = c.wallet.debit("p", "gold", 5, idempotency_key="receipt")  # another path
    assert debit == {"economyKey": "gold", "balance": 0, "applied": True}
    assert not c.wallet.debit("p", "gold", 5, idempotency_key="receipt")["applied"]


def test_keys_are_forgotten_after_24_hours(kraty: KratyLocal) -> None:
    c = kraty.client
    c.wallet.credit("p", "gold", 5, idempotency_key="k")
    kraty.clock.advance(timedelta(hours=23, minutes=59))
    assert raises(
        lambda: c.wallet.credit("p", "gold", 6, idempotency_key="k")
    ).is_idempotency_conflict
    kraty.clock.advance(timedelta(minutes=2))
    assert c.wallet.credit("p", "gold", 6, idempotency_key="k") == {
        "economyKey": "gold",
        "balance": 11,
        "applied": True,
    }


def test_sixteen_threads_one_key_one_effect(kraty_local: KratyLocal) -> None:
    clients = [kraty_local.make_client() for _ in range(16)]
    barrier = threading.Barrier(16)
    results: list[dict[str, Any]] = []

    def credit(client: KratyAdmin) -> None:
        barrier.wait()
        results.append(dict(client.wallet.credit("p", "gold", 100, idempotency_key="receipt-1")))

    threads = [threading.Thread(target=credit, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 16
    assert sum(r["applied"] for r in results) == 1
    assert {r["balance"] for r in results} == {100}
    assert kraty_local.client.players.get("p")["wallet"][0]["balance"] == 100


@pytest.mark.parametrize("external_id", AWKWARD_IDS)
def test_awkward_ids_round_trip(kraty: KratyLocal, external_id: str) -> None:
    kraty.client.wallet.credit(external_id, "gems", 3)
    kraty.client.inventory.grant(external_id, "sword", 1)
    snap = kraty.client.players.get(external_id)
    assert snap["player"]["externalPlayerId"] == external_id
    assert kraty.client.players.export(external_id)["player"]["externalPlayerId"] == external_id


def test_ledger_invariant_after_a_random_mix(kraty: KratyLocal) -> None:
    rng = random.Random(7)
    c = kraty.client
    model: dict[tuple[str, str], int] = {}
    for step in range(150):
        player, currency = rng.choice(["p1", "p2", "p3"]), rng.choice(["gold", "gems"])
        amount = rng.randint(1, 50)
        key = f"op-{step}" if rng.random() > 0.2 else f"op-{max(step - 1, 0)}"
        try:
            if rng.random() < 0.6:
                out = c.wallet.credit(player, currency, amount, idempotency_key=key)
            else:
                out = c.wallet.debit(player, currency, amount, idempotency_key=key)
        except KratyServerError as err:
            refused = err.is_conflict or err.is_idempotency_conflict
            assert refused, err  # noqa: PT017 - the loop goes on after an expected refusal
            continue
        if out["applied"]:
            model[(player, currency)] = out["balance"]
        assert out["balance"] >= 0
    engine = kraty.server.engine
    with engine.connect() as conn:
        rows = conn.execute(
            select(players.c.external_player_id, wallets.c.economy_key, wallets.c.balance).join(
                players, players.c.id == wallets.c.player_id
            )
        ).all()
        for external_id, currency, balance in rows:
            ledger_sum = conn.execute(
                select(func.coalesce(func.sum(wallet_ledger.c.delta), 0))
                .join(players, players.c.id == wallet_ledger.c.player_id)
                .where(
                    players.c.external_player_id == external_id,
                    wallet_ledger.c.economy_key == currency,
                )
            ).scalar_one()
            assert balance == ledger_sum >= 0
            assert model.get((external_id, currency), 0) == balance
