"""The validator itself: it accepts what the facts allow and rejects what they do not.

These are the negative controls: a check that could never fail would prove nothing.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .client_reference import CLIENT_REQUESTS, CLIENT_TYPES
from .reference import TYPES
from .reference_bodies import SUITE_BODIES
from .schema import EXTRA_FIELD, Types, example, validate, with_extras

_FRIENDS = next(b for b in SUITE_BODIES if b.endpoint == "players.friends" and b.complete)
_GOOD_FRIENDS: dict[str, Any] = _FRIENDS.body["data"]


#: Every table of facts: the server SDKs' answers, the client SDK's answers and requests.
_TABLES: dict[str, Types] = {
    "server": TYPES,
    "client": CLIENT_TYPES,
    "client-request": CLIENT_REQUESTS,
}
_NAMES = [(table, name) for table, types in _TABLES.items() for name in sorted(types)]


@pytest.mark.parametrize(("table", "type_name"), _NAMES, ids=[f"{t}-{n}" for t, n in _NAMES])
@pytest.mark.parametrize("full", [True, False], ids=["full", "sparse"])
def test_generated_examples_validate(table: str, type_name: str, full: bool) -> None:
    types = _TABLES[table]
    assert validate(example(type_name, types, full=full), type_name, types) == []


@pytest.mark.parametrize(("table", "type_name"), _NAMES, ids=[f"{t}-{n}" for t, n in _NAMES])
def test_unknown_fields_are_allowed(table: str, type_name: str) -> None:
    types = _TABLES[table]
    grown = with_extras(example(type_name, types, full=True), type_name, types)
    assert EXTRA_FIELD in grown
    assert validate(grown, type_name, types) == []


def _broken(change: str) -> tuple[dict[str, Any], str]:
    """The reference's friends fixture with one deliberate mistake, and the path it is at."""
    body = copy.deepcopy(_GOOD_FRIENDS)
    friend = body["friends"][0]
    if change == "missing-required":
        del friend["friendsSince"]
        return body, "$.friends[0].friendsSince"
    if change == "null-not-nullable":
        friend["online"] = None
        return body, "$.friends[0].online"
    if change == "wrong-type":
        friend["online"] = "yes"
        return body, "$.friends[0].online"
    if change == "not-iso":
        friend["friendsSince"] = "last tuesday"
        return body, "$.friends[0].friendsSince"
    if change == "nested-wrong-type":
        friend["displayIdentity"]["name"] = 7
        return body, "$.friends[0].displayIdentity.name"
    if change == "nested-null-name":
        friend["displayIdentity"]["name"] = None
        return body, "$.friends[0].displayIdentity.name"
    if change == "list-is-object":
        body["friends"] = friend
        return body, "$.friends"
    # Kraty Local's pre-section-9 friend row: {playerId, externalPlayerId, since}.
    body["friends"] = [{"playerId": "p1", "externalPlayerId": "bob", "since": "2030-01-01"}]
    return body, "$.friends[0].displayIdentity"


@pytest.mark.parametrize(
    "change",
    [
        "missing-required",
        "null-not-nullable",
        "wrong-type",
        "not-iso",
        "nested-wrong-type",
        "nested-null-name",
        "list-is-object",
        "old-local-friend-row",
    ],
)
def test_deliberately_wrong_bodies_are_rejected(change: str) -> None:
    assert validate(_GOOD_FRIENDS, "FriendsList", TYPES) == []
    body, where = _broken(change)
    problems = validate(body, "FriendsList", TYPES)
    assert any(p.startswith(where + ":") for p in problems), problems


@pytest.mark.parametrize(
    ("type_name", "field", "bad"),
    [
        ("Grant", "status", "granted"),  # not in the enumeration
        ("Attempt", "status", "active"),  # Kraty Local's old attempt status
        ("PlayerExport", "schemaVersion", 2),  # `schemaVersion: 1`
        ("AdjustItemResult", "quantity", True),  # a bool is not an int
        ("AdjustItemResult", "quantity", 1.5),  # a count is an int
        ("SubmitScoreResult", "score", "12"),  # a number, not a string
        ("WalletHolding", "metadata", None),  # always an object (section 9)
        ("ExportPlayer", "firstSeenAt", None),  # always a string (section 9)
        ("SyntheticIdentity", "avatar", None),  # `avatar?: string`, not nullable
        ("Lobby", "eventWindowId", None),  # a string (section 9)
    ],
)
def test_wrong_values_are_rejected(type_name: str, field: str, bad: Any) -> None:
    body = example(type_name, TYPES, full=True)
    body[field] = bad
    assert [p for p in validate(body, type_name, TYPES) if p.startswith(f"$.{field}:")]


def test_open_enumerations_accept_new_values() -> None:
    """``LobbyStatus | string`` and ``'live' | 'test' | string`` take values added later."""
    lobby = example("Lobby", TYPES, full=True) | {"status": "archived"}
    key = example("ApiKeyInfo", TYPES, full=True) | {"environment": "staging"}
    assert validate(lobby, "Lobby", TYPES) == []
    assert validate(key, "ApiKeyInfo", TYPES) == []


@pytest.mark.parametrize(
    ("type_name", "field", "bad"),
    [
        ("EventListing", "milestoneRewards", None),  # `milestoneRewards?: [...]`, not nullable
        ("MilestoneRewardPreview", "threshold", "100"),  # a number
        ("Leaderboard", "scope", "global"),  # 'game' | 'studio'
        ("PlayerPresence", "online", None),
        ("PlayerRegistration", "secret", None),
        ("ProgressInput", "mode", "add"),  # 'set' | 'increment'
    ],
)
def test_wrong_client_values_are_rejected(type_name: str, field: str, bad: Any) -> None:
    types = CLIENT_REQUESTS if type_name in CLIENT_REQUESTS else CLIENT_TYPES
    body = example(type_name, types, full=True)
    body[field] = bad
    assert [p for p in validate(body, type_name, types) if p.startswith(f"$.{field}:")]


_REWARD_ENTRY = "CurrencyEntry|ItemEntry|CrateEntry"


@pytest.mark.parametrize(
    ("entry", "fits"),
    [
        ({"type": "currency", "currencyKey": "gold", "amount": 5}, True),
        ({"type": "item", "itemKey": "sword", "quantity": 1, "parameters": {"r": 1}}, True),
        ({"type": "crate", "crateItemKey": "box", "quantity": 2}, True),
        ({"type": "currency", "itemKey": "sword", "quantity": 1}, False),  # says currency
        ({"type": "gem", "currencyKey": "gold", "amount": 5}, False),  # no such alternative
        ({"type": "crate", "crateItemKey": "box"}, False),  # no quantity
        ("currency", False),
    ],
)
def test_a_union_takes_one_of_its_alternatives(entry: Any, fits: bool) -> None:
    problems = validate([entry], f"list[{_REWARD_ENTRY}]", CLIENT_TYPES)
    assert (problems == []) == fits, problems
