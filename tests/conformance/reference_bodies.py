"""Every response body in the reference SDKs' own test suites, transcribed as data.

The Python ``kraty-server-sdk`` 0.13 suite (``tests/test_resources.py``, ``tests/test_client.py``)
is transcribed in full; from the TypeScript suite (``src/server-sdk.test.ts``) only the bodies
that differ from a Python one (its timestamps carry milliseconds, ``ping`` answers ``{ok: true}``)
are added. Each is what a reference SDK expects a server to send, so our SDK must decode it
through the matching method: success bodies come back unwrapped, error bodies raise
``KratyServerError`` with the given status and code.

``complete`` marks bodies that are whole instances of the endpoint's wire type: they must also
pass the validator, which cross-checks the transcription of ``types.ts`` in ``reference.py``.
Some fixtures are deliberately partial (``{"data": {"id": "g1"}}``): decoding must not care.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PY_RESOURCES = "python tests/test_resources.py::"
PY_CLIENT = "python tests/test_client.py::"
TS = "typescript src/server-sdk.test.ts: "


@dataclass(frozen=True)
class SuiteBody:
    """A response from a reference test, and the SDK call it answers."""

    source: str
    endpoint: str
    args: tuple[Any, ...]
    status: int
    body: Any
    kwargs: dict[str, Any] = field(default_factory=dict)
    complete: bool = True
    error_code: str | None = None


def _grant(status: str, source_ref_id: str | None, claimed_at: str | None) -> dict[str, Any]:
    return {
        "id": "g1",
        "kind": "reward",
        "contents": {},
        "sourceKind": "api",
        "sourceRefId": source_ref_id,
        "parentGrantId": None,
        "status": status,
        "rolledAt": None,
        "claimedAt": claimed_at,
        "expiresAt": None,
        "createdAt": "2026-01-01",
    }


_LOBBY = {
    "id": "lob1",
    "eventId": "e1",
    "eventWindowId": "w1",
    "leaderboardId": "lb1",
    "mode": "lobby_matched",
    "status": "active",
    "capacity": 4,
    "fillBy": None,
    "participantCount": 2,
    "botSlots": 0,
    "startedAt": None,
    "endsAt": None,
}


def _deletion(erased: bool, deleted_at: str) -> dict[str, Any]:
    if erased:
        return {
            "playerId": "p1",
            "externalPlayerId": "alice",
            "anonymizedExternalId": "__deleted_abc-123__",
            "deletedAt": deleted_at,
            "attemptsAnonymized": 12,
            "lobbiesAnonymized": 3,
            "leaderboardsScrubbed": 4,
            "status": "erased",
        }
    return {
        "playerId": None,
        "externalPlayerId": "ghost",
        "anonymizedExternalId": None,
        "deletedAt": deleted_at,
        "attemptsAnonymized": 0,
        "lobbiesAnonymized": 0,
        "leaderboardsScrubbed": 0,
        "status": "no_op_never_existed",
    }


def _export(stamp: str) -> dict[str, Any]:
    return {
        "schemaVersion": 1,
        "exportedAt": f"2026-06-11T10:00:00{stamp}",
        "player": {
            "id": "p1",
            "externalPlayerId": "alice",
            "studioId": "s1",
            "gameId": "g1",
            "firstSeenAt": f"2026-01-01T00:00:00{stamp}",
            "lastSeenAt": f"2026-06-10T12:00:00{stamp}",
            "lastContextSnapshot": {"country": "PT"},
            "registeredAt": f"2026-01-01T00:00:00{stamp}",
            "secretRotatedAt": None,
            "deletedAt": None,
        },
        "attempts": [{"id": "att1", "status": "completed"}],
        "grants": [],
        "inventory": [{"itemKey": "potion", "quantity": 3}],
        "wallet": [{"economyKey": "gold", "balance": 500}],
        "lobbies": [],
    }


def _friends(stamp: str) -> dict[str, Any]:
    return {
        "friends": [
            {
                "externalPlayerId": "bob",
                "displayIdentity": {"name": "Bob", "avatar": None, "country": "PT"},
                "friendsSince": f"2026-01-01T00:00:00{stamp}",
                "online": True,
                "lastActiveAt": f"2026-06-10T12:00:00{stamp}",
                "status": "in_match",
            }
        ]
    }


def _requests(stamp: str) -> dict[str, Any]:
    return {
        "incoming": [
            {
                "requestId": "r1",
                "direction": "incoming",
                "player": {"externalPlayerId": "carol", "displayIdentity": {"name": "Carol"}},
                "createdAt": f"2026-06-01T00:00:00{stamp}",
            }
        ],
        "outgoing": [],
    }


def _blocked(stamp: str) -> dict[str, Any]:
    return {
        "blocked": [
            {
                "externalPlayerId": "mallory",
                "displayIdentity": None,
                "blockedAt": f"2026-05-01T00:00:00{stamp}",
            }
        ]
    }


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


_GOLD = [{"type": "currency", "currencyKey": "gold", "amount": 1}]
_PING = {
    "ok": True,
    "apiKey": {
        "id": "k1",
        "prefix": "sUUVdrM8",
        "permissionSet": "server_integration",
        "environment": "live",
        "studioId": "s1",
        "gameId": "g1",
    },
}
_SNAPSHOT = {
    "player": {
        "id": "p1",
        "externalPlayerId": "alice",
        "studioId": "s1",
        "gameId": "g1",
        "createdAt": "2026-01-01",
        "updatedAt": "2026-01-01",
    },
    "inventory": [
        {
            "itemKey": "potion",
            "quantity": 3,
            "metadata": {},
            "createdAt": "2026-01-01",
            "updatedAt": "2026-01-01",
        }
    ],
    "wallet": [
        {
            "economyKey": "gold",
            "balance": 100,
            "metadata": {},
            "createdAt": "2026-01-01",
            "updatedAt": "2026-01-01",
        }
    ],
    "recentGrants": [],
}
_MIGRATE_FAILURE = {
    "applied": 1,
    "skipped": 0,
    "failed": 1,
    "failures": [
        {
            "rowIndex": 1,
            "externalPlayerId": "p_2",
            "error": {"code": "unknown_item", "message": "item not found"},
        }
    ],
}
_ROWS = [{"externalPlayerId": "p_1", "idempotencyKey": "p_1"}]


def _ok(data: Any) -> dict[str, Any]:
    return {"data": data}


SUITE_BODIES: list[SuiteBody] = [
    # --- python tests/test_resources.py ---
    SuiteBody(
        PY_RESOURCES + "test_grants_create_posts_to_right_url",
        "grants.create",
        ("player_42", "apple_receipt_abc", _GOLD),
        201,
        _ok(_grant("pending", "rcpt", None)),
        kwargs={"source_ref_id": "rcpt"},
    ),
    SuiteBody(
        PY_RESOURCES + "test_grants_create_surfaces_idempotency_conflict",
        "grants.create",
        ("p", "rcpt", _GOLD),
        409,
        _error("idempotency_conflict", "same key, different body"),
        error_code="idempotency_conflict",
    ),
    SuiteBody(
        PY_RESOURCES + "test_grants_ack_posts_to_right_url",
        "grants.ack",
        ("p", "g1"),
        200,
        _ok(_grant("claimed", None, "2026-01-01T00:00:00Z")),
    ),
    SuiteBody(
        PY_RESOURCES + "test_inventory_grant_posts_to_inventory_grant",
        "inventory.grant",
        ("player_42", "starter_chest", 1),
        200,
        _ok({"itemKey": "starter_chest", "quantity": 1, "applied": True}),
    ),
    SuiteBody(
        PY_RESOURCES + "test_inventory_revoke_posts_to_inventory_revoke",
        "inventory.revoke",
        ("p", "sword", 1),
        200,
        _ok({"itemKey": "sword", "quantity": 0, "applied": True}),
    ),
    SuiteBody(
        PY_RESOURCES + "test_wallet_credit_posts_amount",
        "wallet.credit",
        ("player_42", "gold", 500),
        200,
        _ok({"economyKey": "gold", "balance": 600, "applied": True}),
    ),
    SuiteBody(
        PY_RESOURCES + "test_wallet_debit_posts_to_debit_url",
        "wallet.debit",
        ("player_42", "gold", 100),
        200,
        _ok({"economyKey": "gold", "balance": 400, "applied": True}),
    ),
    SuiteBody(
        PY_RESOURCES + "test_lobbies_push_creates_with_roster_and_key",
        "lobbies.push",
        ("game_1", "quick_brawl", "matchmaker_lobby_123", ["alice", "bob"]),
        201,
        _ok(_LOBBY),
        kwargs={"capacity": 4},
    ),
    SuiteBody(
        PY_RESOURCES + "test_lobbies_read_gets_from_games_lobbies",
        "lobbies.read",
        ("game_1", "lob1"),
        200,
        _ok(_LOBBY),
    ),
    SuiteBody(
        PY_RESOURCES + "test_players_get_returns_unified_snapshot",
        "players.get",
        ("alice",),
        200,
        _ok(_SNAPSHOT),
    ),
    SuiteBody(
        PY_RESOURCES + "test_players_delete_posts_reason_and_returns_outcome",
        "players.delete",
        ("alice", "gdpr_erasure"),
        200,
        _ok(_deletion(True, "2026-06-11T10:00:00Z")),
    ),
    SuiteBody(
        PY_RESOURCES + "test_players_delete_for_unknown_player_returns_no_op",
        "players.delete",
        ("ghost",),
        200,
        _ok(_deletion(False, "2026-06-11T10:00:00Z")),
    ),
    SuiteBody(
        PY_RESOURCES + "test_players_export_gets_full_bundle",
        "players.export",
        ("alice",),
        200,
        _ok(_export("Z")),
    ),
    SuiteBody(
        PY_RESOURCES + "test_players_export_surfaces_not_found",
        "players.export",
        ("ghost",),
        404,
        _error("not_found", "Player 'ghost' not found"),
        error_code="not_found",
    ),
    SuiteBody(
        PY_RESOURCES + "test_players_friends_returns_list",
        "players.friends",
        ("alice",),
        200,
        _ok(_friends("Z")),
    ),
    SuiteBody(
        PY_RESOURCES + "test_players_friend_requests_returns_incoming_outgoing",
        "players.friend_requests",
        ("alice",),
        200,
        _ok(_requests("Z")),
    ),
    SuiteBody(
        PY_RESOURCES + "test_players_blocks_returns_list",
        "players.blocks",
        ("alice",),
        200,
        _ok(_blocked("Z")),
    ),
    SuiteBody(
        PY_RESOURCES + "test_players_friends_surfaces_not_found",
        "players.friends",
        ("ghost",),
        404,
        _error("not_found", "Player 'ghost' not found"),
        error_code="not_found",
    ),
    SuiteBody(
        PY_RESOURCES + "test_migrate_players_posts_rows_envelope",
        "migrate.players",
        (_ROWS,),
        200,
        _ok({"applied": 2, "skipped": 0, "failed": 0, "failures": []}),
    ),
    SuiteBody(
        PY_RESOURCES + "test_migrate_wallet_posts_amount_per_row",
        "migrate.wallet",
        (_ROWS,),
        200,
        _ok({"applied": 1, "skipped": 0, "failed": 0, "failures": []}),
    ),
    SuiteBody(
        PY_RESOURCES + "test_migrate_inventory_returns_failures_for_bad_rows",
        "migrate.inventory",
        (_ROWS,),
        200,
        _ok(_MIGRATE_FAILURE),
    ),
    SuiteBody(
        PY_RESOURCES + "test_health_ping_returns_key_info",
        "health.ping",
        (),
        200,
        _PING,
    ),
    # --- python tests/test_client.py ---
    SuiteBody(
        PY_CLIENT + "test_sends_bearer_authorization",
        "health.ping",
        (),
        200,
        {"ok": True, "apiKey": {}},
        complete=False,
    ),
    SuiteBody(
        PY_CLIENT + "test_stamps_idempotency_key_on_post",
        "grants.create",
        ("p", "apple_receipt_abc", _GOLD),
        201,
        _ok({"id": "g1"}),
        complete=False,
    ),
    SuiteBody(
        PY_CLIENT + "test_auto_stamps_idempotency_key_when_omitted",
        "inventory.grant",
        ("p", "sword", 1),
        200,
        _ok({"itemKey": "sword", "quantity": 1, "applied": True}),
    ),
    SuiteBody(
        PY_CLIENT + "test_does_not_stamp_idempotency_key_on_get",
        "players.get",
        ("p",),
        200,
        _ok({"player": {}}),
        complete=False,
    ),
    SuiteBody(
        PY_CLIENT + "test_throws_kraty_server_error_on_non_2xx",
        "players.get",
        ("missing",),
        404,
        _error("not_found", "no player"),
        error_code="not_found",
    ),
    SuiteBody(
        PY_CLIENT + "test_retries_on_503_then_succeeds (the bare 503, once retries are spent)",
        "health.ping",
        (),
        503,
        None,
        error_code="internal_error",
    ),
    SuiteBody(
        PY_CLIENT + "test_honors_retry_after_on_429 (the bare 429, once retries are spent)",
        "health.ping",
        (),
        429,
        None,
        error_code="internal_error",
    ),
    SuiteBody(
        PY_CLIENT + "test_does_not_retry_on_4xx_other_than_408_425_429",
        "grants.create",
        ("p", "x", _GOLD),
        404,
        _error("not_found", "no game"),
        error_code="not_found",
    ),
    # --- typescript src/server-sdk.test.ts (only bodies not already above) ---
    SuiteBody(
        TS + "sends Authorization: Bearer <key>",
        "health.ping",
        (),
        200,
        {"ok": True},
        complete=False,
    ),
    SuiteBody(
        TS + "delete POSTs to /players/:id/delete with reason and returns the outcome",
        "players.delete",
        ("alice", "gdpr_erasure"),
        200,
        _ok(_deletion(True, "2026-06-11T10:00:00.000Z")),
    ),
    SuiteBody(
        TS + "delete for a never-existed player returns no_op_never_existed",
        "players.delete",
        ("ghost",),
        200,
        _ok(_deletion(False, "2026-06-11T10:00:00.000Z")),
    ),
    SuiteBody(
        TS + "export GETs /players/:id/export and returns the bundle",
        "players.export",
        ("alice",),
        200,
        _ok(_export(".000Z")),
    ),
    SuiteBody(
        TS + "friends GETs /players/:id/friends and unwraps data.friends",
        "players.friends",
        ("alice",),
        200,
        _ok(_friends(".000Z")),
    ),
    SuiteBody(
        TS + "friendRequests GETs /friends/requests and returns incoming + outgoing",
        "players.friend_requests",
        ("alice",),
        200,
        _ok(_requests(".000Z")),
    ),
    SuiteBody(
        TS + "blocks GETs /players/:id/blocks and unwraps data.blocked",
        "players.blocks",
        ("alice",),
        200,
        _ok(_blocked(".000Z")),
    ),
]
