"""How a studio tests its fulfilment code with the ``kraty_local`` pytest fixture.

Run with ``pytest examples/test_fulfilment_with_kraty_local.py`` (needs ``kraty-admin[local]``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kraty_admin import KratyAdmin, KratyServerError
from kraty_admin.testing import KratyLocal


def fulfil(kraty: KratyAdmin, player_id: str, receipt_id: str) -> None:
    """The studio's code under test: pay 500 gold for a receipt, exactly once."""
    kraty.wallet.credit(player_id, "gold", amount=500, reason="iap", idempotency_key=receipt_id)


def test_fulfilment_is_paid_once(kraty_local: KratyLocal) -> None:
    fulfil(kraty_local.client, "player_42", "receipt_1")
    fulfil(kraty_local.client, "player_42", "receipt_1")  # the store retried
    snap = kraty_local.client.players.get("player_42")
    assert [(w["economyKey"], w["balance"]) for w in snap["wallet"]] == [("gold", 500)]


def test_unclaimed_grant_expires(kraty_local: KratyLocal) -> None:
    expires = kraty_local.clock.now() + timedelta(hours=1)
    grant = kraty_local.client.grants.create(
        "player_42",
        "daily_bonus_2030_01_01",
        entries=[{"type": "currency", "currencyKey": "gold", "amount": 50}],
        expires_at=expires,
    )
    kraty_local.clock.advance(timedelta(hours=2))  # time moves only when you say so
    with pytest.raises(KratyServerError) as caught:
        kraty_local.client.grants.ack("player_42", grant["id"])
    assert caught.value.is_conflict
