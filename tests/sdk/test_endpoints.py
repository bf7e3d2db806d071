"""Every resource method on the wire (contract sections 1 and 4), for both clients.

One table row per method call: the HTTP method, the exact raw path, the exact JSON body
(camelCase keys, ``None`` arguments left out, real defaults always sent, the idempotency key on
every POST/PUT), and the value the method returns once the envelope is unwrapped.
"""

from __future__ import annotations

import inspect
import json
import typing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pytest
import respx

from kraty_admin import types
from kraty_admin._core import Call
from kraty_admin._resources._endpoint import endpoint
from kraty_admin._resources.events import Events
from kraty_admin._resources.grants import Grants
from kraty_admin._resources.health import Health
from kraty_admin._resources.inventory import Inventory
from kraty_admin._resources.leaderboards import Leaderboards
from kraty_admin._resources.lobbies import Lobbies
from kraty_admin._resources.migrate import Migrate
from kraty_admin._resources.players import Players
from kraty_admin._resources.wallet import Wallet
from tests._http import RespxResponse

from .conftest import Clients, Invoker

GEN = "generated-key-0001"
V1 = "/server/v1"

GRANT = {
    "id": "grant_1",
    "kind": "reward",
    "contents": {"entries": [{"type": "currency", "currencyKey": "gold", "amount": 500}]},
    "sourceKind": "api",
    "sourceRefId": None,
    "parentGrantId": None,
    "status": "pending",
    "rolledAt": None,
    "claimedAt": None,
    "expiresAt": None,
    "createdAt": "2030-01-01T00:00:00Z",
}
LOBBY = {"id": "lobby_1", "eventId": "ev_1", "status": "forming", "capacity": 4}
OUTCOME = {"applied": 1, "skipped": 0, "failed": 0, "failures": []}
ENTRIES = [
    {"type": "currency", "currencyKey": "gold", "amount": 500},
    {"type": "item", "itemKey": "starter_chest", "quantity": 1, "parameters": {"atk": 4}},
    {"type": "crate", "crateItemKey": "legendary_box", "quantity": 2},
]
PING = {
    "ok": True,
    "apiKey": {
        "id": "key_1",
        "prefix": "sk_test_Zq8",
        "permissionSet": "server_integration",
        "environment": "test",
        "studioId": "studio_1",
        "gameId": "game_1",
    },
}


@dataclass
class Case:
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    method: str
    raw_path: str
    body: dict[str, Any] | None  # None: a GET, no body at all
    data: Any = field(default_factory=lambda: {"ok": 1})
    status: int = 200
    response: Any = None  # the whole response JSON; default {"data": data}
    expected: Any = None  # the method's return value; default data

    def response_json(self) -> Any:
        return self.response if self.response is not None else {"data": self.data}

    def expected_value(self) -> Any:
        return self.expected if self.expected is not None else self.data


CASES = [
    # --- grants -----------------------------------------------------------------------------
    Case(
        "grants.create",
        ("player_42", "receipt_1", ENTRIES),
        {
            "kind": "crate",
            "expires_at": datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
            "source_kind": "admin",
            "source_ref_id": "ref_1",
            "metadata": {"receipt": {"id": 7}},
        },
        "POST",
        f"{V1}/players/player_42/grants",
        {
            "kind": "crate",
            "entries": ENTRIES,
            "expiresAt": "2030-01-02T03:04:05Z",
            "sourceKind": "admin",
            "sourceRefId": "ref_1",
            "metadata": {"receipt": {"id": 7}},
            "idempotencyKey": "receipt_1",
        },
        data=GRANT,
        status=201,
    ),
    Case(
        "grants.create",
        ("player_42", "receipt_2", ENTRIES[:1]),
        {"expires_at": None, "source_ref_id": None, "metadata": None},
        "POST",
        f"{V1}/players/player_42/grants",
        {
            "kind": "reward",
            "entries": ENTRIES[:1],
            "sourceKind": "api",
            "idempotencyKey": "receipt_2",
        },
        data=GRANT,
        status=201,
    ),
    Case(
        "grants.create",
        ("p", "k", ENTRIES[:1]),
        {"expires_at": "2030-05-06T07:08:09Z"},
        "POST",
        f"{V1}/players/p/grants",
        {
            "kind": "reward",
            "entries": ENTRIES[:1],
            "expiresAt": "2030-05-06T07:08:09Z",
            "sourceKind": "api",
            "idempotencyKey": "k",
        },
        data=GRANT,
        status=201,
    ),
    Case(
        "grants.ack",
        ("player_42", "grant_1"),
        {},
        "POST",
        f"{V1}/players/player_42/grants/grant_1/ack",
        {"idempotencyKey": GEN},
        data={**GRANT, "status": "claimed"},
    ),
    Case(
        "grants.ack",
        ("player_42", "grant_1"),
        {"idempotency_key": "ack_1"},
        "POST",
        f"{V1}/players/player_42/grants/grant_1/ack",
        {"idempotencyKey": "ack_1"},
        data={**GRANT, "status": "claimed"},
    ),
    # --- inventory / wallet -----------------------------------------------------------------
    *[
        Case(
            f"inventory.{action}",
            ("player_42", "health_potion", 10),
            {"reason": "iap", "source_ref_id": "rcpt", "idempotency_key": "k_inv"},
            "POST",
            f"{V1}/players/player_42/inventory/health_potion/{action}",
            {"quantity": 10, "reason": "iap", "sourceRefId": "rcpt", "idempotencyKey": "k_inv"},
            data={"itemKey": "health_potion", "quantity": 10, "applied": True},
        )
        for action in ("grant", "revoke")
    ],
    *[
        Case(
            f"inventory.{action}",
            ("p", "sword"),
            {"quantity": 1, "reason": None, "source_ref_id": None},
            "POST",
            f"{V1}/players/p/inventory/sword/{action}",
            {"quantity": 1, "idempotencyKey": GEN},
            data={"itemKey": "sword", "quantity": 0, "applied": True},
        )
        for action in ("grant", "revoke")
    ],
    *[
        Case(
            f"wallet.{action}",
            ("player_42", "gold"),
            {"amount": 500, "reason": "iap", "source_ref_id": "rcpt", "idempotency_key": "k_w"},
            "POST",
            f"{V1}/players/player_42/wallet/gold/{action}",
            {"amount": 500, "reason": "iap", "sourceRefId": "rcpt", "idempotencyKey": "k_w"},
            data={"economyKey": "gold", "balance": 500, "applied": True},
        )
        for action in ("credit", "debit")
    ],
    *[
        Case(
            f"wallet.{action}",
            ("p", "gems", 3),
            {"reason": None, "source_ref_id": None, "idempotency_key": None},
            "POST",
            f"{V1}/players/p/wallet/gems/{action}",
            {"amount": 3, "idempotencyKey": GEN},
            data={"economyKey": "gems", "balance": 3, "applied": False},
        )
        for action in ("credit", "debit")
    ],
    # --- lobbies ----------------------------------------------------------------------------
    Case(
        "lobbies.push",
        ("game_1", "quick_brawl"),
        {
            "key": "mm_123",
            "external_player_ids": ("alice", "bob"),
            "capacity": 4,
            "fill_bots": True,
            "metadata": {"region": "eu"},
            "idempotency_key": "push_1",
        },
        "POST",
        f"{V1}/games/game_1/events/quick_brawl/lobbies",
        {
            "key": "mm_123",
            "externalPlayerIds": ["alice", "bob"],
            "capacity": 4,
            "fillBots": True,
            "metadata": {"region": "eu"},
            "idempotencyKey": "push_1",
        },
        data=LOBBY,
    ),
    Case(
        "lobbies.push",
        ("game_1", "quick_brawl", "mm_124", ["carol"]),
        {"capacity": None, "fill_bots": None, "metadata": None},
        "POST",
        f"{V1}/games/game_1/events/quick_brawl/lobbies",
        {"key": "mm_124", "externalPlayerIds": ["carol"], "idempotencyKey": GEN},
        data=LOBBY,
    ),
    Case(
        "lobbies.read",
        ("game_1", "lobby_1"),
        {},
        "GET",
        f"{V1}/games/game_1/lobbies/lobby_1",
        None,
        data={**LOBBY, "participants": [{"externalPlayerId": "alice"}]},
    ),
    # --- players ----------------------------------------------------------------------------
    Case(
        "players.get",
        ("player_42",),
        {},
        "GET",
        f"{V1}/players/player_42",
        None,
        data={"player": {"id": "pl_1"}, "inventory": [], "wallet": [], "recentGrants": []},
    ),
    Case(
        "players.delete",
        ("player_42",),
        {},
        "POST",
        f"{V1}/players/player_42/delete",
        {"reason": "gdpr_erasure", "idempotencyKey": GEN},
        data={"status": "erased", "externalPlayerId": "player_42"},
    ),
    Case(
        "players.delete",
        ("player_42",),
        {"reason": "test", "idempotency_key": "del_1"},
        "POST",
        f"{V1}/players/player_42/delete",
        {"reason": "test", "idempotencyKey": "del_1"},
        data={"status": "no_op_never_existed", "externalPlayerId": "player_42"},
    ),
    Case(
        "players.export",
        ("player_42",),
        {},
        "GET",
        f"{V1}/players/player_42/export",
        None,
        data={"schemaVersion": 1, "player": {"id": "pl_1"}, "attempts": []},
    ),
    Case(
        "players.ban",
        ("player_42",),
        {"reason": "score anomaly: gained 5000 in 2s"},
        "POST",
        f"{V1}/players/player_42/ban",
        {"reason": "score anomaly: gained 5000 in 2s", "idempotencyKey": GEN},
        data={"playerId": "pl_1", "applied": True},
    ),
    Case(
        "players.ban",
        ("player_42",),
        {"reason": "chargeback fraud", "idempotency_key": "ban_1"},
        "POST",
        f"{V1}/players/player_42/ban",
        {"reason": "chargeback fraud", "idempotencyKey": "ban_1"},
        data={"playerId": "pl_1", "applied": False},
    ),
    Case(
        "players.unban",
        ("player_42",),
        {},
        "POST",
        f"{V1}/players/player_42/unban",
        {"idempotencyKey": GEN},
        data={"playerId": "pl_1", "applied": True},
    ),
    Case(
        "players.merge",
        ("old_account", "new_account"),
        {},
        "POST",
        f"{V1}/players/old_account/merge-into/new_account",
        {"idempotencyKey": GEN},
        data={"status": "merged", "counts": {"itemsMerged": 2}},
    ),
    Case(
        "players.merge",
        ("old_account", "new_account"),
        {"idempotency_key": "merge_1"},
        "POST",
        f"{V1}/players/old_account/merge-into/new_account",
        {"idempotencyKey": "merge_1"},
        data={"status": "no_op_already_merged"},
    ),
    Case(
        "players.set_identity",
        ("player_42", "Sir Lancelot"),
        {"avatar": "knight_03"},
        "PUT",
        f"{V1}/players/player_42/identity",
        {"name": "Sir Lancelot", "avatar": "knight_03", "idempotencyKey": GEN},
        data={"externalPlayerId": "player_42", "syntheticIdentity": {"name": "Sir Lancelot"}},
    ),
    Case(
        "players.set_identity",
        ("player_42",),
        {"name": "Galahad", "avatar": None, "idempotency_key": "id_1"},
        "PUT",
        f"{V1}/players/player_42/identity",
        {"name": "Galahad", "idempotencyKey": "id_1"},
        data={"externalPlayerId": "player_42", "syntheticIdentity": {"name": "Galahad"}},
    ),
    Case(
        "players.friends",
        ("player_42",),
        {},
        "GET",
        f"{V1}/players/player_42/friends",
        None,
        data={"friends": [{"externalPlayerId": "bob"}, {"externalPlayerId": "carol"}]},
        expected=[{"externalPlayerId": "bob"}, {"externalPlayerId": "carol"}],
    ),
    Case(
        "players.friend_requests",
        ("player_42",),
        {},
        "GET",
        f"{V1}/players/player_42/friends/requests",
        None,
        data={"incoming": [{"externalPlayerId": "dan"}], "outgoing": []},
    ),
    Case(
        "players.blocks",
        ("player_42",),
        {},
        "GET",
        f"{V1}/players/player_42/blocks",
        None,
        data={"blocked": [{"externalPlayerId": "troll"}]},
        expected=[{"externalPlayerId": "troll"}],
    ),
    # --- migrate ----------------------------------------------------------------------------
    Case(
        "migrate.players",
        (
            [
                {"externalPlayerId": "p_1", "idempotencyKey": "p_1"},
                {"externalPlayerId": "p_2", "idempotencyKey": "p_2", "contextSnapshot": {"c": 1}},
            ],
        ),
        {},
        "POST",
        f"{V1}/migrate/players",
        {
            "rows": [
                {"externalPlayerId": "p_1", "idempotencyKey": "p_1"},
                {"externalPlayerId": "p_2", "idempotencyKey": "p_2", "contextSnapshot": {"c": 1}},
            ],
            "idempotencyKey": GEN,
        },
        data=OUTCOME,
    ),
    Case(
        "migrate.wallet",
        (
            [
                {
                    "externalPlayerId": "p_1",
                    "economyKey": "gold",
                    "amount": 1500,
                    "idempotencyKey": "w",
                }
            ],
        ),
        {"idempotency_key": "batch_1"},
        "POST",
        f"{V1}/migrate/wallet",
        {
            "rows": [
                {
                    "externalPlayerId": "p_1",
                    "economyKey": "gold",
                    "amount": 1500,
                    "idempotencyKey": "w",
                }
            ],
            "idempotencyKey": "batch_1",
        },
        data=OUTCOME,
    ),
    Case(
        "migrate.inventory",
        ([{"externalPlayerId": "p_1", "itemKey": "chest", "quantity": 1, "idempotencyKey": "i"}],),
        {},
        "POST",
        f"{V1}/migrate/inventory",
        {
            "rows": [
                {
                    "externalPlayerId": "p_1",
                    "itemKey": "chest",
                    "quantity": 1,
                    "idempotencyKey": "i",
                }
            ],
            "idempotencyKey": GEN,
        },
        data={**OUTCOME, "failed": 1, "failures": [{"rowIndex": 0, "error": {"code": "x"}}]},
    ),
    # --- health -----------------------------------------------------------------------------
    Case("health.ping", (), {}, "GET", f"{V1}/ping", None, response=PING, expected=PING),
    # --- leaderboards / events --------------------------------------------------------------
    Case(
        "leaderboards.submit_score",
        ("player_42", "weekly_kills", 1234),
        {"segment": "eu", "idempotency_key": "match_9"},
        "POST",
        f"{V1}/leaderboards/weekly_kills/score",
        {
            "externalPlayerId": "player_42",
            "value": 1234,
            "segment": "eu",
            "idempotencyKey": "match_9",
        },
        data={"leaderboardId": "lb_1", "score": 1234, "rank": 3},
    ),
    Case(
        "leaderboards.submit_score",
        ("player_42", "weekly_kills", 12.5),
        {"segment": None},
        "POST",
        f"{V1}/leaderboards/weekly_kills/score",
        {"externalPlayerId": "player_42", "value": 12.5, "idempotencyKey": GEN},
        data={"leaderboardId": "lb_1", "score": 12.5, "rank": None},
    ),
    *[
        Case(
            f"events.{name}",
            ("player_42", "summer_cup", "att_1", "increment"),
            {
                "metric_value": 5,
                "metrics": {"kills": 2},
                "occurred_at": datetime(2030, 7, 1, 12, 0, 0),  # naive: taken as UTC
                "idempotency_key": "prog_1",
            },
            "POST",
            f"{V1}/players/player_42/events/summer_cup/attempts/att_1/progress",
            {
                "mode": "increment",
                "metricValue": 5,
                "metrics": {"kills": 2},
                "occurredAt": "2030-07-01T12:00:00Z",
                "idempotencyKey": "prog_1",
            },
            data={"attempt": {"id": "att_1"}, "milestonesFired": [{"key": "m1", "grants": []}]},
        )
        for name in ("report_progress", "progress")
    ],
    *[
        Case(
            f"events.{name}",
            ("player_42", "summer_cup", "att_1"),
            {"mode": "set", "metric_value": None, "metrics": None, "occurred_at": None},
            "POST",
            f"{V1}/players/player_42/events/summer_cup/attempts/att_1/progress",
            {"mode": "set", "idempotencyKey": GEN},
            data={"attempt": {"id": "att_1"}, "milestonesFired": []},
        )
        for name in ("report_progress", "progress")
    ],
    Case(
        "events.finish",
        ("player_42", "summer_cup", "att_1"),
        {},
        "POST",
        f"{V1}/players/player_42/events/summer_cup/attempts/att_1/finish",
        {"idempotencyKey": GEN},
        data={"attempt": {"id": "att_1"}, "outcome": "completed"},
    ),
    Case(
        "events.finish",
        ("player_42", "summer_cup", "att_1"),
        {"idempotency_key": "fin_1"},
        "POST",
        f"{V1}/players/player_42/events/summer_cup/attempts/att_1/finish",
        {"idempotencyKey": "fin_1"},
        data={"attempt": {"id": "att_1"}, "outcome": "expired"},
    ),
]


def _case_id(case: Case) -> str:
    return case.name


@pytest.fixture
def gen_invoke(clients: Clients) -> Invoker:
    """An invoker whose client generates the fixed key ``GEN``."""
    return clients.invoker(generate_idempotency_key=lambda: GEN)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_endpoint_on_the_wire(case: Case, gen_invoke: Invoker, api: respx.MockRouter) -> None:
    route = api.route().mock(return_value=RespxResponse(case.status, json=case.response_json()))

    result = gen_invoke(case.name, *case.args, **case.kwargs)

    assert result == case.expected_value()
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == case.method
    assert request.url.raw_path.decode("ascii") == case.raw_path
    assert request.url.query == b""
    assert request.url.host == "api.test"
    if case.body is None:
        assert request.content == b""
        assert "content-type" not in request.headers
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content.decode("utf-8")) == case.body


RESOURCES = [Events, Grants, Health, Inventory, Leaderboards, Lobbies, Migrate, Players, Wallet]
ATTRIBUTES = {
    Events: "events",
    Grants: "grants",
    Health: "health",
    Inventory: "inventory",
    Leaderboards: "leaderboards",
    Lobbies: "lobbies",
    Migrate: "migrate",
    Players: "players",
    Wallet: "wallet",
}


def test_table_covers_every_endpoint() -> None:
    """A method added to a resource without a row above fails here."""
    declared = {
        f"{ATTRIBUTES[resource]}.{name}"
        for resource in RESOURCES
        for name, value in vars(resource).items()
        if isinstance(value, endpoint)
    }
    assert declared == {case.name for case in CASES}
    assert "events.progress" in declared


def test_progress_is_an_alias_of_report_progress(kraty: Any) -> None:
    assert type(kraty.events).progress is type(kraty.events).report_progress


# --------------------------------------------------------------------------- product page


def test_product_page_quickstart(clients: Clients, api: respx.MockRouter) -> None:
    credit = api.post(
        f"https://api.test{V1}/players/player_42/wallet/gold/credit",
    ).mock(return_value=RespxResponse(200, json={"data": {"balance": 500}}))
    inv = api.post(
        f"https://api.test{V1}/players/player_42/inventory/starter_chest/grant",
    ).mock(return_value=RespxResponse(200, json={"data": {"quantity": 1}}))
    grant = api.post(f"https://api.test{V1}/players/player_42/grants").mock(
        return_value=RespxResponse(201, json={"data": GRANT})
    )
    kraty = clients.invoker()

    assert kraty(
        "wallet.credit",
        "player_42",
        "gold",
        amount=500,
        reason="iap",
        source_ref_id="apple_receipt_abc",
        idempotency_key="apple_receipt_abc",
    ) == {"balance": 500}
    assert kraty(
        "inventory.grant",
        "player_42",
        "starter_chest",
        quantity=1,
        reason="iap",
        idempotency_key="apple_receipt_abc",
    ) == {"quantity": 1}
    assert (
        kraty(
            "grants.create",
            "player_42",
            idempotency_key="apple_receipt_abc",
            entries=[
                {"type": "currency", "currencyKey": "gold", "amount": 500},
                {"type": "item", "itemKey": "starter_chest", "quantity": 1},
                {"type": "crate", "crateItemKey": "legendary_box", "quantity": 2},
            ],
            source_kind="api",
            source_ref_id="apple_receipt_abc",
        )
        == GRANT
    )

    assert json.loads(credit.calls.last.request.content) == {
        "amount": 500,
        "reason": "iap",
        "sourceRefId": "apple_receipt_abc",
        "idempotencyKey": "apple_receipt_abc",
    }
    assert json.loads(inv.calls.last.request.content) == {
        "quantity": 1,
        "reason": "iap",
        "idempotencyKey": "apple_receipt_abc",
    }
    assert json.loads(grant.calls.last.request.content) == {
        "kind": "reward",
        "entries": [
            {"type": "currency", "currencyKey": "gold", "amount": 500},
            {"type": "item", "itemKey": "starter_chest", "quantity": 1},
            {"type": "crate", "crateItemKey": "legendary_box", "quantity": 2},
        ],
        "sourceKind": "api",
        "sourceRefId": "apple_receipt_abc",
        "idempotencyKey": "apple_receipt_abc",
    }


def test_product_page_lobby_push_sends_fill_bots_false(
    clients: Clients, api: respx.MockRouter
) -> None:
    route = api.post(f"https://api.test{V1}/games/game_1/events/quick_brawl/lobbies").mock(
        return_value=RespxResponse(200, json={"data": LOBBY})
    )
    kraty = clients.invoker(generate_idempotency_key=lambda: GEN)

    lobby = kraty(
        "lobbies.push",
        "game_1",
        "quick_brawl",
        key="matchmaker_lobby_123",
        external_player_ids=["alice", "bob", "carol"],
        capacity=4,
        fill_bots=False,
    )

    assert lobby == LOBBY
    body = json.loads(route.calls.last.request.content)
    assert body == {
        "key": "matchmaker_lobby_123",
        "externalPlayerIds": ["alice", "bob", "carol"],
        "capacity": 4,
        "fillBots": False,
        "idempotencyKey": GEN,
    }
    assert b'"fillBots":false' in route.calls.last.request.content


def test_product_page_support_snippets(clients: Clients, api: respx.MockRouter) -> None:
    """ack with the created grant's id, revoke/debit, GDPR delete, ban then unban."""
    route = api.route().mock(
        side_effect=lambda request: RespxResponse(
            200, json={"data": {"path": request.url.raw_path.decode(), "status": "erased"}}
        )
    )
    kraty = clients.invoker()

    kraty("grants.ack", "player_42", GRANT["id"])
    kraty(
        "inventory.revoke",
        "player_42",
        "health_potion",
        quantity=10,
        reason="chargeback",
        idempotency_key="chargeback_xyz",
    )
    kraty("wallet.debit", "p", "gold", amount=100, reason="refund", idempotency_key="refund_xyz")
    out = kraty("players.delete", "player_42", reason="gdpr_erasure")
    kraty("players.ban", "player_42", reason="score anomaly: gained 5000 in 2s")
    kraty("players.unban", "player_42")

    assert out["status"] == "erased"
    paths = [call.request.url.raw_path.decode() for call in route.calls]
    assert paths == [
        f"{V1}/players/player_42/grants/grant_1/ack",
        f"{V1}/players/player_42/inventory/health_potion/revoke",
        f"{V1}/players/p/wallet/gold/debit",
        f"{V1}/players/player_42/delete",
        f"{V1}/players/player_42/ban",
        f"{V1}/players/player_42/unban",
    ]
    assert all(call.request.method == "POST" for call in route.calls)


# --------------------------------------------------------------------------- awkward ids

AWKWARD_IDS = [
    ("a/b", "a%2Fb"),
    ("../../admin", "..%2F..%2Fadmin"),
    ("two words", "two%20words"),
    ("what?x=1", "what%3Fx%3D1"),
    ("frag#ment", "frag%23ment"),
    ("100%", "100%25"),
    ("%2F", "%252F"),
    ("jogador-ção", "jogador-%C3%A7%C3%A3o"),
    ("игрок", "%D0%B8%D0%B3%D1%80%D0%BE%D0%BA"),
    ("🎮", "%F0%9F%8E%AE"),
    (".", "%2E"),
    ("..", "%2E%2E"),
    ("a.b", "a.b"),
    ("plus+and&semi;", "plus%2Band%26semi%3B"),
]


@pytest.mark.parametrize(("raw", "encoded"), AWKWARD_IDS, ids=[e for _, e in AWKWARD_IDS])
def test_awkward_ids_are_encoded_as_one_segment(
    raw: str, encoded: str, invoke: Invoker, api: respx.MockRouter
) -> None:
    route = api.route().mock(return_value=RespxResponse(200, json={"data": {}}))

    invoke("players.get", raw)
    invoke("wallet.credit", raw, raw, 1, idempotency_key="k")
    invoke("players.merge", raw, raw)
    invoke("events.finish", raw, raw, raw)

    paths = [call.request.url.raw_path.decode("ascii") for call in route.calls]
    assert paths == [
        f"{V1}/players/{encoded}",
        f"{V1}/players/{encoded}/wallet/{encoded}/credit",
        f"{V1}/players/{encoded}/merge-into/{encoded}",
        f"{V1}/players/{encoded}/events/{encoded}/attempts/{encoded}/finish",
    ]
    assert all(call.request.url.query == b"" for call in route.calls)
    assert all(call.request.url.fragment == "" for call in route.calls)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("players.get", ("",)),
        ("wallet.credit", ("p", "", 5)),
        ("wallet.credit", ("", "gold", 5)),
        ("grants.ack", ("p", "")),
        ("players.merge", ("a", "")),
        ("lobbies.read", ("", "lobby_1")),
        ("leaderboards.submit_score", ("p", "", 1)),
        ("events.finish", ("p", "e", "")),
    ],
)
def test_empty_id_is_rejected_before_any_request(
    name: str, args: tuple[Any, ...], invoke: Invoker, api: respx.MockRouter
) -> None:
    route = api.route().mock(return_value=RespxResponse(200, json={"data": {}}))

    with pytest.raises(ValueError, match="non-empty"):
        invoke(name, *args)

    assert route.call_count == 0
    assert api.calls.call_count == 0


# --------------------------------------------------------------------------- introspection


def _endpoint_names() -> list[str]:
    return sorted(case.name for case in CASES)


@pytest.mark.parametrize("name", _endpoint_names())
def test_methods_introspect_like_plain_methods(name: str, clients: Clients) -> None:
    """The signature returns the value type; async methods are coroutine functions."""
    kraty = clients.new()
    resource_name, method_name = name.split(".")
    resource = getattr(kraty, resource_name)
    method = getattr(resource, method_name)

    signature = inspect.signature(method)

    returned = signature.return_annotation
    assert not isinstance(returned, str)
    assert typing.get_origin(returned) is not Call
    assert returned is not inspect.Signature.empty
    assert inspect.iscoroutinefunction(method) is clients.is_async
    assert getattr(resource, method_name) is method  # built once per resource instance
    assert method.__qualname__.endswith(f".{method.__name__}")
    assert method.__doc__


def test_signatures_name_the_value_types(kraty: Any) -> None:
    def returned(method: Any) -> Any:
        return inspect.signature(method).return_annotation

    assert returned(kraty.wallet.credit) is types.WalletChange
    assert returned(kraty.health.ping) is types.Ping
    assert returned(kraty.players.friends) == list[types.Friend]
    assert list(inspect.signature(kraty.wallet.credit).parameters)[:3] == [
        "external_player_id",
        "economy_key",
        "amount",
    ]


def test_an_alias_is_cached_under_both_names(kraty: Any) -> None:
    assert kraty.events.progress is kraty.events.report_progress
    assert kraty.events.report_progress.__name__ == "report_progress"
