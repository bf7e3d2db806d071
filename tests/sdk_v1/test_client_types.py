"""Every ``/sdk/v1`` answer fits the public TypeScript client SDK's ``types.ts`` (v0.24), on each
engine: the game client decodes what Kraty Local sends.

The shapes below are facts read from that SDK (``src/types.ts`` and the envelopes
``src/resources.ts`` unwraps), in the conformance suite's vocabulary; shapes both the server
and the client SDK define identically (``Grant``, ``Attempt``, ``Friend``...) come from the
server table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kraty_local.testing import PlayerClient
from tests._http import http_lib
from tests.conformance.reference import TYPES
from tests.conformance.schema import F, nul, opt, optnul, req, validate

from .conftest import PlayerFactory


def _holding(key: str, amount: str) -> dict[str, F]:
    return {
        key: req("str"),
        amount: req("int"),
        "metadata": req("object"),
        "createdAt": req("iso"),
        "updatedAt": req("iso"),
    }


CLIENT_TYPES: dict[str, dict[str, F]] = {
    **TYPES,
    "PlayerRegistration": {
        "playerId": req("str"),
        "externalPlayerId": req("str"),
        "secret": req("str"),
        "secretPrefix": optnul("str"),
        "registeredAt": optnul("iso"),
        "country": optnul("str"),
        "syntheticIdentity": optnul("ClientSyntheticIdentity"),
        "displayIdentity": optnul("PlayerIdentity"),
        "anonymizedIdentity": optnul("PlayerIdentity"),
    },
    "ClientSyntheticIdentity": {"name": req("str"), "avatar": optnul("str")},
    "OpenCrateResponse": {"crate": req("Grant"), "contents": req("Grant")},
    "PlayerWalletHolding": _holding("economyKey", "balance"),
    "PlayerItemHolding": _holding("itemKey", "quantity"),
    "WalletList": {"wallet": req("list[PlayerWalletHolding]")},
    "ItemList": {"items": req("list[PlayerItemHolding]")},
    "DebitWalletResult": {"economyKey": req("str"), "balance": req("int"), "applied": req("bool")},
    "ConsumeItemResult": {"itemKey": req("str"), "quantity": req("int"), "applied": req("bool")},
    "StartAttemptResponse": {
        "attempt": req("Attempt"),
        "leaderboardId": req("str"),
        "windowEndsAt": req("iso"),
    },
    "EventListing": {
        "eventKey": req("str"),
        "name": req("any"),
        "windowId": req("str"),
        "startsAt": req("iso"),
        "endsAt": req("iso"),
        "leaderboardId": nul("str"),
        "currentAttemptId": nul("str"),
        "type": opt("str"),
        "leaderboardMode": opt("str"),
        "metrics": opt("list[object]"),
        "entryRequirement": optnul("object"),
        "entryCost": optnul("object"),
        "metadata": opt("object"),
    },
    "ProgressResponse": {"attempt": req("Attempt"), "milestonesFired": req("list[MilestoneFired]")},
    "FinishAttemptResponse": {
        "attempt": req("Attempt"),
        "outcome": req("str", "completed", "expired"),
    },
    "SetIdentityAnswer": {
        "externalPlayerId": req("str"),
        "displayIdentity": nul("PlayerIdentity"),
        "anonymizedIdentity": nul("PlayerIdentity"),
    },
    "IdentityAnswer": {"displayIdentity": nul("PlayerIdentity")},
    "FriendCode": {"friendCode": req("str"), "displayIdentity": nul("PlayerIdentity")},
    "PlayerPresence": {"online": req("bool"), "lastActiveAt": nul("iso"), "status": nul("str")},
    "SendFriendRequestResult": {
        "status": req("str", "pending", "accepted"),
        "request": opt("FriendRequest"),
        "friend": opt("Friend"),
    },
    "SearchResults": {"results": req("list[FriendSearchResult]")},
    "FriendSearchResult": {
        "externalPlayerId": req("str"),
        "displayIdentity": nul("PlayerIdentity"),
        "relationship": req("str", "none", "friends", "request_incoming", "request_outgoing"),
    },
    "BlockAnswer": {"blocked": req("BlockedPlayer")},
    "Unblocked": {"unblocked": req("bool")},
}


def _scenario(client: http_lib.Client, ann: PlayerClient, bob: PlayerClient) -> list[Any]:
    """``(type, answer)`` of every client call, each list the scenario reads non-empty."""
    entries = [
        {"type": "currency", "currencyKey": "gold", "amount": 500},
        {"type": "item", "itemKey": "sword", "quantity": 2},
        {"type": "crate", "crateItemKey": "legendary_box", "quantity": 1},
    ]
    body = {"idempotencyKey": "g1", "entries": entries}
    grant_id = client.post("/players/ann/grants", json=body).json()["data"]["id"]
    pending = ann.pending_grants()
    claimed = ann.claim(grant_id)
    crate = ann.pending_grants()[0]
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("list[Grant]", lambda: pending),
        ("Grant", lambda: claimed),
        ("OpenCrateResponse", lambda: ann.open_crate(crate["id"])),
        ("WalletList", lambda: {"wallet": ann.wallet()}),
        ("ItemList", lambda: {"items": ann.inventory()}),
        ("DebitWalletResult", lambda: ann.debit("gold", 1)),
        ("ConsumeItemResult", lambda: ann.consume("sword", 1)),
        ("SetIdentityAnswer", lambda: ann.set_identity("Ann", avatar="a.png")),
        ("IdentityAnswer", ann.identity),
        ("PlayerPresence", lambda: ann.heartbeat(status="lobby")),
        ("FriendCode", lambda: ann._call("GET", "/friend-code")),
    ]
    answers = [(name, call()) for name, call in calls]
    started = ann.start("weekly_race")
    attempt_id = started["attempt"]["id"]
    answers += [
        ("StartAttemptResponse", started),
        ("list[EventListing]", ann.events()),
        ("ProgressResponse", ann.progress("weekly_race", attempt_id, metric_value=200)),
        ("FinishAttemptResponse", ann.finish("weekly_race", attempt_id)),
        ("SendFriendRequestResult", bob.add_friend(external_player_id="ann")),
        ("FriendRequests", ann.friend_requests()),
        ("SearchResults", {"results": ann.search("b")}),
    ]
    request_id = answers[-2][1]["incoming"][0]["requestId"]
    answers += [
        ("Friend", ann.accept(request_id)),
        ("FriendsList", {"friends": bob.friends()}),
        ("BlockAnswer", {"blocked": ann.block(external_player_id="bob")}),
        ("BlockedList", {"blocked": ann.blocks()}),
        ("Unblocked", {"unblocked": ann.unblock("bob")}),
    ]
    return answers


def test_every_client_answer_fits_the_client_sdk_types(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    ann, bob = player_of("ann", register=False), player_of("bob")
    registration = ann.register()
    answers = [("PlayerRegistration", registration), *_scenario(client, ann, bob)]
    problems = [
        f"{name}: {p}" for name, answer in answers for p in validate(answer, name, CLIENT_TYPES)
    ]
    assert problems == []
    lists = {name: answer for name, answer in answers if name in ("FriendsList", "BlockedList")}
    assert all(next(iter(v.values())) for v in lists.values())  # validated with rows in them
