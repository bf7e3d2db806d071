"""A support case seeded into Kraty Local, read back through the SDK (contract section 9 shapes).

Runs on both engines (``database_target``), with the sync and the async client.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kraty_admin.testing import KratyLocal
from kraty_local.seed import SeedError

EXAMPLE = Path(__file__).parents[2] / "examples" / "support_case.seed.json"


def test_a_seeded_support_case_reads_back_through_the_sdk(kraty: KratyLocal) -> None:
    kraty.seed(EXAMPLE)
    client = kraty.client
    at = kraty.clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")

    snap = client.players.get("maria_92")
    assert {w["economyKey"]: w["balance"] for w in snap["wallet"]} == {"gems": 0, "gold": 1200}
    assert {i["itemKey"]: i["quantity"] for i in snap["inventory"]} == {
        "health_potion": 3,
        "sword": 1,
    }
    friends = client.players.friends("maria_92")
    assert friends == [
        {
            "externalPlayerId": "joao",
            "displayIdentity": {"name": "João", "avatar": None, "country": "BR"},
            "friendsSince": at,
            "online": False,
            "lastActiveAt": None,
            "status": None,
        }
    ]
    assert [f["externalPlayerId"] for f in client.players.friends("joao")] == ["maria_92"]
    requests = client.players.friend_requests("maria_92")
    assert requests["outgoing"] == []
    [incoming] = requests["incoming"]
    assert incoming["direction"] == "incoming"
    assert incoming["player"] == {
        "externalPlayerId": "kenji",
        "displayIdentity": {"name": "Kenji", "avatar": None, "country": "JP"},
    }
    assert incoming["createdAt"] == at
    assert (
        client.players.friend_requests("kenji")["outgoing"][0]["requestId"]
        == (incoming["requestId"])
    )
    assert client.players.blocks("maria_92") == [
        {"externalPlayerId": "spam_bot_7", "displayIdentity": None, "blockedAt": at}
    ]


def test_the_sdk_sees_changes_on_top_of_a_seed_and_the_export_follows(kraty: KratyLocal) -> None:
    kraty.seed(EXAMPLE)
    kraty.client.wallet.credit("maria_92", "gems", amount=500, idempotency_key="ticket-4711")

    state = kraty.export_seed(only=["maria_92"])

    maria = next(p for p in state["players"] if p["externalPlayerId"] == "maria_92")
    assert maria["wallet"] == {"gems": 500, "gold": 1200}


def test_an_invalid_seed_changes_nothing_the_sdk_can_see(kraty: KratyLocal) -> None:
    with pytest.raises(SeedError):
        kraty.seed({"players": [{"externalPlayerId": "ghost", "wallet": {"gold": -1}}]})

    assert kraty.export_seed()["players"] == []
