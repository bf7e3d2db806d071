"""Facts about the `/server/v1` wire, taken from the public reference server SDKs.

Sources (read, not copied): the Python ``kraty-server-sdk`` 0.13 (``resources.py``, ``client.py``
and their docstrings) and the TypeScript ``@kraty/server-sdk`` (``src/types.ts`` for the wire
types, ``src/resources.ts`` and ``src/client.ts`` for the requests). Contract section 9 makes
them the outside truth for what the hosted API sends and accepts.

Three tables:

- ``TYPES``: every response shape, in the vocabulary of :mod:`tests.conformance.schema`.
- ``ENDPOINTS``: per SDK method, the wire type of its answer and how the SDK unwraps it.
- ``SAMPLES``: sample calls, with the exact request each reference sends for them, where the
  two references differ, and the explicit rules (:class:`Deviation`) where our SDK
  deliberately sends something else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .schema import F, nul, opt, optnul, req

# --- response types ---------------------------------------------------------------------------
#
# TypeScript's ``number`` is written "int" where the Python reference narrows it (type hints
# ``quantity: int``/``amount: int``, docstrings ``"attemptsAnonymized": int``, ``rank: int |
# None``) or where the value is a count; scores and metrics stay "number". Timestamps are
# "iso": ``string`` in types.ts, documented as ISO datetimes in both references.

_COUNTS = (
    "attemptsReassigned",
    "grantsReassigned",
    "itemsMerged",
    "itemLedgerRowsMoved",
    "walletsMerged",
    "walletLedgerRowsMoved",
    "lobbiesTouched",
    "leaderboardsScrubbed",
)

TYPES: dict[str, dict[str, F]] = {
    # types.ts `Grant`; `contents` is `Record<string, unknown>` (the Python tests send `{}`).
    "Grant": {
        "id": req("str"),
        "kind": req("str", "reward", "crate"),
        "contents": req("object"),
        "sourceKind": req("str"),
        "sourceRefId": nul("str"),
        "parentGrantId": nul("str"),
        "status": req("str", "pending", "claimed", "expired"),
        "rolledAt": nul("iso"),
        "claimedAt": nul("iso"),
        "expiresAt": nul("iso"),
        "createdAt": req("iso"),
    },
    # types.ts `AdjustItemResult` / `AdjustWalletResult`.
    "AdjustItemResult": {"itemKey": req("str"), "quantity": req("int"), "applied": req("bool")},
    "AdjustWalletResult": {
        "economyKey": req("str"),
        "balance": req("int"),
        "applied": req("bool"),
    },
    # types.ts `Lobby`: `status: LobbyStatus | string` is an open enumeration (forming, active,
    # closed and whatever comes later), so any string is valid; `botSlots?` may be absent.
    "Lobby": {
        "id": req("str"),
        "eventId": req("str"),
        "eventWindowId": req("str"),
        "leaderboardId": nul("str"),
        "mode": req("str"),
        "status": req("str"),
        "capacity": req("int"),
        "fillBy": nul("iso"),
        "participantCount": req("int"),
        "botSlots": opt("int"),
        "startedAt": nul("iso"),
        "endsAt": nul("iso"),
    },
    # types.ts `PlayerSnapshot` and its inline element types; holdings' `metadata` is a
    # non-nullable object (section 9).
    "PlayerSnapshot": {
        "player": req("SnapshotPlayer"),
        "inventory": req("list[InventoryHolding]"),
        "wallet": req("list[WalletHolding]"),
        "recentGrants": req("list[Grant]"),
    },
    "SnapshotPlayer": {
        "id": req("str"),
        "externalPlayerId": req("str"),
        "studioId": req("str"),
        "gameId": req("str"),
        "createdAt": req("iso"),
        "updatedAt": req("iso"),
    },
    "InventoryHolding": {
        "itemKey": req("str"),
        "quantity": req("int"),
        "metadata": req("object"),
        "createdAt": req("iso"),
        "updatedAt": req("iso"),
    },
    "WalletHolding": {
        "economyKey": req("str"),
        "balance": req("int"),
        "metadata": req("object"),
        "createdAt": req("iso"),
        "updatedAt": req("iso"),
    },
    # types.ts `DeletePlayerResult` (the Python `delete` docstring says the same).
    "DeletePlayerResult": {
        "playerId": nul("str"),
        "externalPlayerId": req("str"),
        "anonymizedExternalId": nul("str"),
        "deletedAt": req("iso"),
        "attemptsAnonymized": req("int"),
        "lobbiesAnonymized": req("int"),
        "leaderboardsScrubbed": req("int"),
        "status": req("str", "erased", "no_op_already_erased", "no_op_never_existed"),
    },
    # types.ts `PlayerExport`: `schemaVersion: 1`; the row lists are free-form records except
    # `lobbies`; `firstSeenAt` / `lastSeenAt` are never null.
    "PlayerExport": {
        "schemaVersion": req("int", 1),
        "exportedAt": req("iso"),
        "player": req("ExportPlayer"),
        "attempts": req("list[object]"),
        "grants": req("list[object]"),
        "inventory": req("list[object]"),
        "wallet": req("list[object]"),
        "lobbies": req("list[ExportLobby]"),
    },
    "ExportPlayer": {
        "id": req("str"),
        "externalPlayerId": req("str"),
        "studioId": req("str"),
        "gameId": req("str"),
        "firstSeenAt": req("iso"),
        "lastSeenAt": req("iso"),
        "lastContextSnapshot": nul("object"),
        "registeredAt": nul("iso"),
        "secretRotatedAt": nul("iso"),
        "deletedAt": nul("iso"),
    },
    "ExportLobby": {
        "id": req("str"),
        "eventId": req("str"),
        "status": req("str"),
        "createdAt": req("iso"),
    },
    # types.ts `BanPlayerResult` / `UnbanPlayerResult`.
    "BanPlayerResult": {
        "playerId": req("str"),
        "externalPlayerId": req("str"),
        "bannedAt": req("iso"),
        "reason": req("str"),
        "applied": req("bool"),
    },
    "UnbanPlayerResult": {
        "playerId": req("str"),
        "externalPlayerId": req("str"),
        "unbannedAt": req("iso"),
        "applied": req("bool"),
    },
    # types.ts `MergePlayerResult`: `anonymizedExternalPlayerId: string | null`.
    "MergePlayerResult": {
        "fromPlayerId": req("str"),
        "fromExternalPlayerId": req("str"),
        "toPlayerId": req("str"),
        "toExternalPlayerId": req("str"),
        "anonymizedExternalPlayerId": nul("str"),
        "counts": req("MergeCounts"),
        "mergedAt": req("iso"),
        "status": req("str", "merged", "no_op_already_merged"),
    },
    "MergeCounts": {name: req("int") for name in _COUNTS},
    # `PUT /players/{p}/identity`: the envelope types resources.ts declares inline
    # (`{externalPlayerId; syntheticIdentity: {name: string; avatar?: string}}`), which the
    # Python docstring confirms ("Returns {externalPlayerId, syntheticIdentity}"). Note the
    # avatar there is optional but NOT nullable, unlike `PlayerIdentity.avatar`.
    "SetIdentityResult": {
        "externalPlayerId": req("str"),
        "syntheticIdentity": req("SyntheticIdentity"),
    },
    "SyntheticIdentity": {"name": req("str"), "avatar": opt("str")},
    # types.ts `PlayerIdentity`, `Friend`, `FriendRequest(s)`, `BlockedPlayer` (section 9).
    "PlayerIdentity": {"name": req("str"), "avatar": optnul("str"), "country": optnul("str")},
    "Friend": {
        "externalPlayerId": req("str"),
        "displayIdentity": nul("PlayerIdentity"),
        "friendsSince": req("iso"),
        "online": req("bool"),
        "lastActiveAt": nul("iso"),
        "status": nul("str"),
    },
    "FriendsList": {"friends": req("list[Friend]")},
    "FriendRequestPlayer": {
        "externalPlayerId": req("str"),
        "displayIdentity": nul("PlayerIdentity"),
    },
    "FriendRequest": {
        "requestId": req("str"),
        "direction": req("str", "incoming", "outgoing"),
        "player": req("FriendRequestPlayer"),
        "createdAt": req("iso"),
    },
    "FriendRequests": {
        "incoming": req("list[FriendRequest]"),
        "outgoing": req("list[FriendRequest]"),
    },
    "BlockedPlayer": {
        "externalPlayerId": req("str"),
        "displayIdentity": nul("PlayerIdentity"),
        "blockedAt": req("iso"),
    },
    "BlockedList": {"blocked": req("list[BlockedPlayer]")},
    # types.ts `MigrateOutcome` / `MigrateFailure` (`externalPlayerId?`).
    "MigrateOutcome": {
        "applied": req("int"),
        "skipped": req("int"),
        "failed": req("int"),
        "failures": req("list[MigrateFailure]"),
    },
    "MigrateFailure": {
        "rowIndex": req("int"),
        "externalPlayerId": opt("str"),
        "error": req("MigrateFailureError"),
    },
    "MigrateFailureError": {"code": req("str"), "message": req("str")},
    # types.ts `SubmitScoreResult` (`rank: number | null`; Python: `int | None`).
    "SubmitScoreResult": {"leaderboardId": req("str"), "score": req("number"), "rank": nul("int")},
    # types.ts `Attempt`, `MilestoneFired`, `ReportProgressResult`, `FinishAttemptResult`.
    "Attempt": {
        "id": req("str"),
        "eventId": req("str"),
        "eventWindowId": req("str"),
        "leaderboardId": req("str"),
        "playerId": req("str"),
        "startedAt": req("iso"),
        "endsAt": req("iso"),
        "completedAt": nul("iso"),
        "metrics": req("map[number]"),
        "metricsRaw": req("map[number]"),
        "score": req("number"),
        "status": req("str", "in_progress", "completed", "expired", "force_completed"),
    },
    "MilestoneFired": {"key": req("str"), "grants": req("list[Grant]")},
    "ReportProgressResult": {
        "attempt": req("Attempt"),
        "milestonesFired": req("list[MilestoneFired]"),  # "never null" (types.ts)
    },
    "FinishAttemptResult": {
        "attempt": req("Attempt"),
        "outcome": req("str", "completed", "expired"),
    },
    # errors.ts `KratyServerErrorPayload` (`details?: unknown`) inside `{ error: {...} }`; the
    # Python `KratyServerError` docstring names the same envelope.
    "ErrorEnvelope": {"error": req("ErrorPayload")},
    "ErrorPayload": {"code": req("str"), "message": req("str"), "details": optnul("any")},
    # types.ts `PingResponse` / `ApiKeyInfo`: `environment: 'live' | 'test' | string` is open.
    "PingResponse": {"ok": req("bool"), "apiKey": req("ApiKeyInfo")},
    "ApiKeyInfo": {
        "id": req("str"),
        "prefix": req("str"),
        "permissionSet": req("str"),
        "environment": req("str"),
        "studioId": req("str"),
        "gameId": nul("str"),
    },
}


# --- endpoints --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """How one SDK method's answer travels: the wire type and how the SDK unwraps it.

    ``wire`` is the type of the ``data`` object (of the whole body when not ``enveloped``);
    ``pick`` names the field of it the SDK returns instead (both references do the same:
    ``friends`` returns ``data.friends``, ``blocks`` returns ``data.blocked``).
    """

    wire: str
    status: int = 200
    pick: str | None = None
    enveloped: bool = True


ENDPOINTS: dict[str, Endpoint] = {
    "grants.create": Endpoint("Grant", status=201),
    "grants.ack": Endpoint("Grant"),
    "inventory.grant": Endpoint("AdjustItemResult"),
    "inventory.revoke": Endpoint("AdjustItemResult"),
    "wallet.credit": Endpoint("AdjustWalletResult"),
    "wallet.debit": Endpoint("AdjustWalletResult"),
    "lobbies.push": Endpoint("Lobby"),
    "lobbies.read": Endpoint("Lobby"),
    "players.get": Endpoint("PlayerSnapshot"),
    "players.delete": Endpoint("DeletePlayerResult"),
    "players.export": Endpoint("PlayerExport"),
    "players.ban": Endpoint("BanPlayerResult"),
    "players.unban": Endpoint("UnbanPlayerResult"),
    "players.merge": Endpoint("MergePlayerResult"),
    "players.set_identity": Endpoint("SetIdentityResult"),
    "players.friends": Endpoint("FriendsList", pick="friends"),
    "players.friend_requests": Endpoint("FriendRequests"),
    "players.blocks": Endpoint("BlockedList", pick="blocked"),
    "migrate.players": Endpoint("MigrateOutcome"),
    "migrate.wallet": Endpoint("MigrateOutcome"),
    "migrate.inventory": Endpoint("MigrateOutcome"),
    "leaderboards.submit_score": Endpoint("SubmitScoreResult"),
    "events.report_progress": Endpoint("ReportProgressResult"),
    "events.progress": Endpoint("ReportProgressResult"),  # alias in both references
    "events.finish": Endpoint("FinishAttemptResult"),
    "health.ping": Endpoint("PingResponse", enveloped=False),
}


# --- requests ---------------------------------------------------------------------------------

#: Stands for the idempotency key a client generates when the caller gave none. Both references
#: stamp one into every POST/PUT body (Python ``_attach_idempotency_key``, TS
#: ``attachIdempotencyKey``; a missing body becomes ``{"idempotencyKey": ...}``) and keep the
#: caller's when the body has one. Contract section 1 asks the same of our SDK (a UUID4 made once
#: per logical call), so this is a shared fact, not a deviation.
GENERATED = "<generated idempotency key>"

#: Headers both references send on every request (names are case-insensitive); content-type
#: only when there is a body (every POST/PUT, since the key is stamped in; never on GET).
COMMON_HEADERS = {"authorization": "Bearer {api_key}", "accept": "application/json"}
BODY_HEADERS = {"content-type": "application/json"}


@dataclass(frozen=True)
class Deviation:
    """Something our SDK deliberately sends differently from the Python reference, and why.

    ``where`` is ``"path"``, ``"body"`` or ``"header:<name>"``; ``ours`` is what our SDK sends
    there instead (for a header, the prefix its value starts with).
    """

    where: str
    ours: Any
    reason: str


def deviated(
    path: str, body: dict[str, Any] | None, deviations: tuple[Deviation, ...]
) -> tuple[str, dict[str, Any] | None]:
    """A reference's ``path`` and ``body`` with the ``"path"``/``"body"`` deviations applied:
    the request our client must send instead."""
    for deviation in deviations:
        if deviation.where == "path":
            path = deviation.ours
        elif deviation.where == "body":
            body = deviation.ours
    return path, body


#: Applies to every sample: the SDK identification header names the sending SDK.
SDK_HEADER_DEVIATION = Deviation(
    "header:x-kraty-sdk",
    "kraty-admin/",
    "Both references identify themselves (kraty-server-sdk/<v>, @kraty/server-sdk/<v>); "
    "contract section 1 has us send kraty-admin/<version>, and section 10 says the header is "
    "informational only.",
)


@dataclass(frozen=True)
class Sample:
    """One sample call and the request each reference sends for it.

    ``call`` is how our SDK is called (method, positional and keyword arguments);
    ``python_call`` / ``ts_call`` record how the same request is made with each reference.
    ``ts_path`` / ``ts_body`` are given only where the TypeScript reference sends something
    else than the Python one, and ``differs`` then says what and why. Our SDK must send the
    Python reference's request (contract sections 1 and 9: the defaults are always sent), with
    ``deviations`` applied.
    """

    id: str
    endpoint: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    python_call: str
    ts_call: str
    method: str
    path: str
    body: dict[str, Any] | None
    ts_path: str | None = None
    ts_body: dict[str, Any] | None = None
    differs: str = ""
    deviations: tuple[Deviation, ...] = field(default_factory=tuple)

    @property
    def ts_request(self) -> tuple[str, dict[str, Any] | None]:
        """The TypeScript reference's path and body."""
        return (self.ts_path or self.path, self.ts_body if self.ts_body is not None else self.body)


_GOLD_500 = {"type": "currency", "currencyKey": "gold", "amount": 500}
_MIXED_ENTRIES = [
    {"type": "currency", "currencyKey": "gold", "amount": 500},
    {"type": "item", "itemKey": "sword", "quantity": 1, "parameters": {"rarity": "epic"}},
    {"type": "crate", "crateItemKey": "legendary_box", "quantity": 2},
]
_MIGRATE_PLAYER_ROWS = [
    {"externalPlayerId": "p_1", "idempotencyKey": "p_1"},
    {"externalPlayerId": "p_2", "idempotencyKey": "p_2", "contextSnapshot": {"country": "PT"}},
]
_MIGRATE_WALLET_ROWS = [
    {"externalPlayerId": "p_1", "economyKey": "gold", "amount": 500, "idempotencyKey": "p_1:gold"},
]
_MIGRATE_INVENTORY_ROWS = [
    {"externalPlayerId": "p_1", "itemKey": "potion", "quantity": 3, "idempotencyKey": "p_1:potion"},
    {"externalPlayerId": "p_2", "itemKey": "gone", "quantity": 1, "idempotencyKey": "p_2:gone"},
]
_P = "/server/v1/players"

SAMPLES: list[Sample] = [
    Sample(
        "grants.create/defaults",
        "grants.create",
        ("player_42", "apple_receipt_abc", [_GOLD_500]),
        {},
        "grants.create('player_42', idempotency_key='apple_receipt_abc', entries=[gold 500])",
        "grants.create('player_42', {idempotencyKey: 'apple_receipt_abc', entries: [gold 500]})",
        "POST",
        f"{_P}/player_42/grants",
        {
            "idempotencyKey": "apple_receipt_abc",
            "kind": "reward",
            "entries": [_GOLD_500],
            "sourceKind": "api",
        },
        ts_body={"idempotencyKey": "apple_receipt_abc", "entries": [_GOLD_500]},
        differs="Python always sends the defaults kind='reward' and sourceKind='api'; TypeScript "
        "sends only what the caller gave (the server applies the same defaults, section 9).",
    ),
    Sample(
        "grants.create/everything",
        "grants.create",
        ("player_42", "iap_starter_pack", _MIXED_ENTRIES),
        {
            "kind": "crate",
            "expires_at": "2030-01-01T00:00:00Z",
            "source_kind": "admin",
            "source_ref_id": "apple_receipt_abc",
            "metadata": {"campaign": "c42"},
        },
        "grants.create(..., kind='crate', expires_at=..., source_kind='admin', "
        "source_ref_id=..., metadata=...)",
        "grants.create(..., {kind, expiresAt, sourceKind, sourceRefId, metadata, ...})",
        "POST",
        f"{_P}/player_42/grants",
        {
            "idempotencyKey": "iap_starter_pack",
            "kind": "crate",
            "entries": _MIXED_ENTRIES,
            "expiresAt": "2030-01-01T00:00:00Z",
            "sourceKind": "admin",
            "sourceRefId": "apple_receipt_abc",
            "metadata": {"campaign": "c42"},
        },
    ),
    Sample(
        "grants.ack/generated-key",
        "grants.ack",
        ("player_42", "g1"),
        {},
        "grants.ack('player_42', 'g1')",
        "grants.ack('player_42', 'g1')",
        "POST",
        f"{_P}/player_42/grants/g1/ack",
        {"idempotencyKey": GENERATED},
    ),
    Sample(
        "grants.ack/given-key",
        "grants.ack",
        ("player_42", "g1"),
        {"idempotency_key": "ack-1"},
        "grants.ack('player_42', 'g1', idempotency_key='ack-1')",
        "grants.ack('player_42', 'g1', {idempotencyKey: 'ack-1'})",
        "POST",
        f"{_P}/player_42/grants/g1/ack",
        {"idempotencyKey": "ack-1"},
    ),
    Sample(
        "inventory.grant",
        "inventory.grant",
        ("player_42", "starter_chest", 1),
        {"reason": "iap", "source_ref_id": "rcpt", "idempotency_key": "rcpt"},
        "inventory.grant('player_42', 'starter_chest', quantity=1, reason='iap', "
        "source_ref_id='rcpt', idempotency_key='rcpt')",
        "inventory.grant('player_42', 'starter_chest', {quantity: 1, reason, sourceRefId, "
        "idempotencyKey})",
        "POST",
        f"{_P}/player_42/inventory/starter_chest/grant",
        {"quantity": 1, "reason": "iap", "sourceRefId": "rcpt", "idempotencyKey": "rcpt"},
    ),
    Sample(
        "inventory.revoke",
        "inventory.revoke",
        ("p", "sword", 1),
        {"reason": "chargeback"},
        "inventory.revoke('p', 'sword', quantity=1, reason='chargeback')",
        "inventory.revoke('p', 'sword', {quantity: 1, reason: 'chargeback'})",
        "POST",
        f"{_P}/p/inventory/sword/revoke",
        {"quantity": 1, "reason": "chargeback", "idempotencyKey": GENERATED},
    ),
    Sample(
        "wallet.credit",
        "wallet.credit",
        ("player_42", "gold", 500),
        {"reason": "iap", "idempotency_key": "rcpt_xyz"},
        "wallet.credit('player_42', 'gold', amount=500, reason='iap', idempotency_key='rcpt_xyz')",
        "wallet.credit('player_42', 'gold', {amount: 500, reason: 'iap', idempotencyKey})",
        "POST",
        f"{_P}/player_42/wallet/gold/credit",
        {"amount": 500, "reason": "iap", "idempotencyKey": "rcpt_xyz"},
    ),
    Sample(
        "wallet.debit",
        "wallet.debit",
        ("player_42", "gold", 100),
        {"source_ref_id": "refund_1"},
        "wallet.debit('player_42', 'gold', amount=100, source_ref_id='refund_1')",
        "wallet.debit('player_42', 'gold', {amount: 100, sourceRefId: 'refund_1'})",
        "POST",
        f"{_P}/player_42/wallet/gold/debit",
        {"amount": 100, "sourceRefId": "refund_1", "idempotencyKey": GENERATED},
    ),
    Sample(
        "lobbies.push",
        "lobbies.push",
        ("game_1", "quick_brawl", "matchmaker_lobby_123", ["alice", "bob"]),
        {"capacity": 4},
        "lobbies.push('game_1', 'quick_brawl', key=..., external_player_ids=[...], capacity=4)",
        "lobbies.push('game_1', 'quick_brawl', {key, externalPlayerIds, capacity: 4})",
        "POST",
        "/server/v1/games/game_1/events/quick_brawl/lobbies",
        {
            "key": "matchmaker_lobby_123",
            "externalPlayerIds": ["alice", "bob"],
            "capacity": 4,
            "idempotencyKey": GENERATED,
        },
    ),
    Sample(
        "lobbies.push/fill-bots-false",
        "lobbies.push",
        ("game_1", "quick_brawl", "m-2", ["alice"]),
        {"fill_bots": False, "metadata": {"region": "eu"}},
        "lobbies.push(..., fill_bots=False, metadata={'region': 'eu'})",
        "lobbies.push(..., {fillBots: false, metadata: {region: 'eu'}})",
        "POST",
        "/server/v1/games/game_1/events/quick_brawl/lobbies",
        {
            "key": "m-2",
            "externalPlayerIds": ["alice"],
            "fillBots": False,
            "metadata": {"region": "eu"},
            "idempotencyKey": GENERATED,
        },
    ),
    Sample(
        "lobbies.read",
        "lobbies.read",
        ("game_1", "lob1"),
        {},
        "lobbies.read('game_1', 'lob1')",
        "lobbies.read('game_1', 'lob1')",
        "GET",
        "/server/v1/games/game_1/lobbies/lob1",
        None,
    ),
    Sample(
        "players.get",
        "players.get",
        ("alice",),
        {},
        "players.get('alice')",
        "players.get('alice')",
        "GET",
        f"{_P}/alice",
        None,
    ),
    Sample(
        "players.get/encoded-id",
        "players.get",
        ("it's a/b",),
        {},
        'players.get("it\'s a/b")',
        'players.get("it\'s a/b")',
        "GET",
        f"{_P}/it%27s%20a%2Fb",
        None,
        ts_path=f"{_P}/it's%20a%2Fb",
        differs="Python's quote(safe='') encodes ' ! ( ) *; TypeScript's encodeURIComponent "
        "leaves them. Both encode '/' as %2F, so the id stays one segment either way.",
    ),
    Sample(
        "players.get/dot-dot",
        "players.get",
        ("..",),
        {},
        "players.get('..')",
        "players.get('..')",
        "GET",
        f"{_P}/..",
        None,
        deviations=(
            Deviation(
                "path",
                f"{_P}/%2E%2E",
                "Both references send '..' unencoded, which URL normalisation turns into "
                "another route (/server/v1/players/.. is /server/v1); contract section 1: no id "
                "can address another route, so our SDK encodes dot segments.",
            ),
        ),
    ),
    Sample(
        "players.delete/default-reason",
        "players.delete",
        ("alice",),
        {},
        "players.delete('alice')",
        "players.delete('alice')",
        "POST",
        f"{_P}/alice/delete",
        {"reason": "gdpr_erasure", "idempotencyKey": GENERATED},
        ts_body={"idempotencyKey": GENERATED},
        differs="Python always sends reason='gdpr_erasure'; TypeScript sends the input as given "
        "(`{}`), leaving the default to the server.",
    ),
    Sample(
        "players.delete/given-reason",
        "players.delete",
        ("alice", "studio_request"),
        {},
        "players.delete('alice', reason='studio_request')",
        "players.delete('alice', {reason: 'studio_request'})",
        "POST",
        f"{_P}/alice/delete",
        {"reason": "studio_request", "idempotencyKey": GENERATED},
    ),
    Sample(
        "players.export",
        "players.export",
        ("alice",),
        {},
        "players.export('alice')",
        "players.export('alice')",
        "GET",
        f"{_P}/alice/export",
        None,
    ),
    Sample(
        "players.ban",
        "players.ban",
        ("alice",),
        {"reason": "score anomaly"},
        "players.ban('alice', reason='score anomaly')",
        "players.ban('alice', {reason: 'score anomaly'})",
        "POST",
        f"{_P}/alice/ban",
        {"reason": "score anomaly", "idempotencyKey": GENERATED},
    ),
    Sample(
        "players.unban",
        "players.unban",
        ("alice",),
        {},
        "players.unban('alice')",
        "players.unban('alice')",
        "POST",
        f"{_P}/alice/unban",
        {"idempotencyKey": GENERATED},
    ),
    Sample(
        "players.merge",
        "players.merge",
        ("guest_123", "player_42"),
        {},
        "players.merge('guest_123', 'player_42')",
        "players.merge('guest_123', 'player_42')",
        "POST",
        f"{_P}/guest_123/merge-into/player_42",
        {"idempotencyKey": GENERATED},
    ),
    Sample(
        "players.set_identity/avatar",
        "players.set_identity",
        ("alice", "Alice"),
        {"avatar": "https://cdn.example/a.png"},
        "players.set_identity('alice', name='Alice', avatar='https://cdn.example/a.png')",
        "players.setIdentity('alice', {name: 'Alice', avatar: 'https://cdn.example/a.png'})",
        "PUT",
        f"{_P}/alice/identity",
        {"name": "Alice", "avatar": "https://cdn.example/a.png", "idempotencyKey": GENERATED},
    ),
    Sample(
        "players.set_identity/no-avatar",
        "players.set_identity",
        ("alice", "Zed"),
        {"avatar": None},
        "players.set_identity('alice', name='Zed', avatar=None)",
        "players.setIdentity('alice', {name: 'Zed', avatar: null})",
        "PUT",
        f"{_P}/alice/identity",
        {"name": "Zed", "idempotencyKey": GENERATED},
        ts_body={"name": "Zed", "avatar": None, "idempotencyKey": GENERATED},
        differs="Python leaves avatar=None out; TypeScript sends the object as given, so an "
        "explicit null travels (section 9: a null optional field counts as absent).",
    ),
    Sample(
        "players.friends",
        "players.friends",
        ("alice",),
        {},
        "players.friends('alice')",
        "players.friends('alice')",
        "GET",
        f"{_P}/alice/friends",
        None,
    ),
    Sample(
        "players.friend_requests",
        "players.friend_requests",
        ("alice",),
        {},
        "players.friend_requests('alice')",
        "players.friendRequests('alice')",
        "GET",
        f"{_P}/alice/friends/requests",
        None,
    ),
    Sample(
        "players.blocks",
        "players.blocks",
        ("alice",),
        {},
        "players.blocks('alice')",
        "players.blocks('alice')",
        "GET",
        f"{_P}/alice/blocks",
        None,
    ),
    Sample(
        "migrate.players",
        "migrate.players",
        (_MIGRATE_PLAYER_ROWS,),
        {},
        "migrate.players(rows)",
        "migrate.players(rows)",
        "POST",
        "/server/v1/migrate/players",
        {"rows": _MIGRATE_PLAYER_ROWS, "idempotencyKey": GENERATED},
    ),
    Sample(
        "migrate.wallet",
        "migrate.wallet",
        (_MIGRATE_WALLET_ROWS,),
        {},
        "migrate.wallet(rows)",
        "migrate.wallet(rows)",
        "POST",
        "/server/v1/migrate/wallet",
        {"rows": _MIGRATE_WALLET_ROWS, "idempotencyKey": GENERATED},
    ),
    Sample(
        "migrate.inventory",
        "migrate.inventory",
        (_MIGRATE_INVENTORY_ROWS,),
        {},
        "migrate.inventory(rows)",
        "migrate.inventory(rows)",
        "POST",
        "/server/v1/migrate/inventory",
        {"rows": _MIGRATE_INVENTORY_ROWS, "idempotencyKey": GENERATED},
    ),
    Sample(
        "leaderboards.submit_score",
        "leaderboards.submit_score",
        ("player_42", "weekly_high_scores", 12500),
        {"segment": "NA", "idempotency_key": "match_abc"},
        "leaderboards.submit_score('player_42', 'weekly_high_scores', 12500, segment='NA', "
        "idempotency_key='match_abc')",
        "leaderboards.submitScore('player_42', 'weekly_high_scores', 12_500, {segment: 'NA', "
        "idempotencyKey: 'match_abc'})",
        "POST",
        "/server/v1/leaderboards/weekly_high_scores/score",
        {
            "externalPlayerId": "player_42",
            "value": 12500,
            "segment": "NA",
            "idempotencyKey": "match_abc",
        },
    ),
    Sample(
        "leaderboards.submit_score/minimal",
        "leaderboards.submit_score",
        ("player_42", "speedrun", 71.25),
        {},
        "leaderboards.submit_score('player_42', 'speedrun', 71.25)",
        "leaderboards.submitScore('player_42', 'speedrun', 71.25)",
        "POST",
        "/server/v1/leaderboards/speedrun/score",
        {"externalPlayerId": "player_42", "value": 71.25, "idempotencyKey": GENERATED},
    ),
    Sample(
        "events.report_progress",
        "events.report_progress",
        ("player_42", "summer_event", "att_1", "increment"),
        {"metric_value": 50, "idempotency_key": "match_abc"},
        "events.report_progress('player_42', 'summer_event', 'att_1', mode='increment', "
        "metric_value=50, idempotency_key='match_abc')",
        "events.reportProgress('player_42', 'summer_event', 'att_1', {mode: 'increment', "
        "metricValue: 50, idempotencyKey: 'match_abc'})",
        "POST",
        f"{_P}/player_42/events/summer_event/attempts/att_1/progress",
        {"mode": "increment", "metricValue": 50, "idempotencyKey": "match_abc"},
    ),
    Sample(
        "events.progress/everything",
        "events.progress",
        ("player_42", "summer_event", "att_1", "set"),
        {"metrics": {"kills": 3, "distance": 1.5}, "occurred_at": "2026-06-11T10:00:00Z"},
        "events.progress('player_42', 'summer_event', 'att_1', mode='set', metrics=..., "
        "occurred_at=...)",
        "events.progress('player_42', 'summer_event', 'att_1', {mode: 'set', metrics, occurredAt})",
        "POST",
        f"{_P}/player_42/events/summer_event/attempts/att_1/progress",
        {
            "mode": "set",
            "metrics": {"kills": 3, "distance": 1.5},
            "occurredAt": "2026-06-11T10:00:00Z",
            "idempotencyKey": GENERATED,
        },
    ),
    Sample(
        "events.finish",
        "events.finish",
        ("player_42", "summer_event", "att_1"),
        {},
        "events.finish('player_42', 'summer_event', 'att_1')",
        "events.finish('player_42', 'summer_event', 'att_1')",
        "POST",
        f"{_P}/player_42/events/summer_event/attempts/att_1/finish",
        {"idempotencyKey": GENERATED},
    ),
    Sample(
        "health.ping",
        "health.ping",
        (),
        {},
        "health.ping()",
        "health.ping()",
        "GET",
        "/server/v1/ping",
        None,
    ),
]
