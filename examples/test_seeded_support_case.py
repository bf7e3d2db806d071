"""Reproducing a support case with the ``kraty_local`` fixture and a seed file.

Run with ``pytest examples/test_seeded_support_case.py`` (needs ``kraty-admin[local]``). The seed
format is described in ``docs/seeding.md``.
"""

from __future__ import annotations

import pytest

from kraty_admin import KratyAdmin
from kraty_admin.testing import KratyLocal


def refund_missing_gems(kraty: KratyAdmin, player_id: str, ticket: str) -> None:
    """The studio's code under test: refund the 500 gems of a purchase that never arrived."""
    kraty.wallet.credit(player_id, "gems", amount=500, reason=ticket, idempotency_key=ticket)


@pytest.mark.kraty_local_seed("support_case.seed.json")  # read from this file's folder
def test_refund_restores_the_gems_once(kraty_local: KratyLocal) -> None:
    refund_missing_gems(kraty_local.client, "maria_92", "ticket-4711")
    refund_missing_gems(kraty_local.client, "maria_92", "ticket-4711")  # the agent clicked twice

    snap = kraty_local.client.players.get("maria_92")
    assert {w["economyKey"]: w["balance"] for w in snap["wallet"]} == {"gems": 500, "gold": 1200}


def test_state_can_be_seeded_inline_and_read_back(kraty_local: KratyLocal) -> None:
    kraty_local.seed(
        {
            "players": [
                {"externalPlayerId": "ana", "wallet": {"gold": 10}},
                {"externalPlayerId": "rui", "country": "PT"},
            ],
            "friendships": [["ana", "rui"]],
        }
    )

    state = kraty_local.export_seed()

    assert [p["externalPlayerId"] for p in state["players"]] == ["ana", "rui"]
    assert [f["players"] for f in state["friendships"]] == [["ana", "rui"]]
