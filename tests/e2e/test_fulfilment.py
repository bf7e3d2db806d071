"""IAP fulfilment against Kraty Local: the product page's quickstart, replay and conflict."""

from __future__ import annotations

import pytest

from kraty_admin import KratyServerError
from kraty_admin.testing import KratyLocal

#: The smoke subset of the end-to-end suite: these scenarios go over the real socket.
pytestmark = pytest.mark.socket


def test_quickstart_fulfilment_applies_once(kraty: KratyLocal) -> None:
    kraty_client = kraty.client
    first = kraty_client.wallet.credit(
        "player_42",
        "gold",
        amount=500,
        reason="iap",
        source_ref_id="apple_receipt_abc",
        idempotency_key="apple_receipt_abc",
    )
    replay = kraty_client.wallet.credit(
        "player_42",
        "gold",
        amount=500,
        reason="iap",
        source_ref_id="apple_receipt_abc",
        idempotency_key="apple_receipt_abc",
    )
    item = kraty_client.inventory.grant(
        "player_42", "starter_chest", quantity=1, reason="iap", idempotency_key="apple_receipt_abc"
    )
    assert first == {"economyKey": "gold", "balance": 500, "applied": True}
    assert replay == {"economyKey": "gold", "balance": 500, "applied": False}
    assert item == {"itemKey": "starter_chest", "quantity": 1, "applied": True}


def test_same_key_different_body_is_an_idempotency_conflict(kraty: KratyLocal) -> None:
    kraty.client.wallet.credit("p", "gold", amount=500, idempotency_key="receipt")
    with pytest.raises(KratyServerError) as caught:
        kraty.client.wallet.credit("p", "gold", amount=501, idempotency_key="receipt")
    assert caught.value.is_idempotency_conflict
    assert caught.value.status == 409
    assert caught.value.details["differingFields"] == ["amount"]


def test_async_client_shares_the_server_state(kraty: KratyLocal) -> None:
    import anyio

    async def credit_twice() -> list[int]:
        async with kraty.make_async_client() as client:
            a = await client.wallet.credit("p", "gems", 5, idempotency_key="k1")
            b = await client.wallet.credit("p", "gems", 7, idempotency_key="k2")
            return [a["balance"], b["balance"]]

    assert anyio.run(credit_twice) == [5, 12]
