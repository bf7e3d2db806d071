"""Secret rotation: one ``v1`` per active secret; a receiver holding either one accepts."""

from __future__ import annotations

import pytest

from kraty_admin import KratyAdmin, verify_webhook
from kraty_local.server import LocalServer
from kraty_local.world import WebhookEndpoint, World

from .conftest import hooked_world
from .receiver import Receiver

OLD, NEW = "whsec_old", "whsec_new"


@pytest.fixture
def world(receiver: Receiver) -> World:
    """game_1's endpoint is mid-rotation: two active secrets."""
    return hooked_world(WebhookEndpoint(receiver.url, (OLD, NEW)))


def test_two_secrets_sign_twice_and_either_verifies(
    server: LocalServer, kraty: KratyAdmin, receiver: Receiver
) -> None:
    kraty.wallet.credit("p1", "gold", amount=1, idempotency_key="r1")
    server.dispatcher.drain()
    assert len(receiver.received) == 2
    for request in receiver.received:
        header = request.headers["X-Signature"]
        assert header.count("v1=") == 2
        now = server.clock.now()
        for secret in (OLD, NEW):
            assert verify_webhook(
                raw_body=request.body, signature_header=header, secret=secret, now=now
            )
        assert not verify_webhook(
            raw_body=request.body, signature_header=header, secret="whsec_x", now=now
        )
