"""Facts about the `/sdk/v1` wire, taken from the public TypeScript client SDK.

Source (read, not copied): ``PedroTrincheiras/kraty-sdk-typescript`` v0.24 — ``src/types.ts``
for the answers, ``src/resources.ts`` for each method's request and how it unwraps the
``{"data": ...}`` envelope, ``src/client.ts`` for the headers and the idempotency key it stamps.
Contract section 10 makes it the outside truth for the game client's surface.

Four tables, in the vocabulary of :mod:`tests.conformance.schema`:

- ``CLIENT_TYPES``: every answer type the client decodes for the section-10 subset.
- ``CLIENT_REQUESTS``: every request body it builds for that subset.
- ``CLIENT_ENDPOINTS``: per client method, its route, query parameters, body, answer type,
  success status and what it returns of ``data``.
- ``CLIENT_SAMPLES``: sample calls with the exact request the client sends for them, the
  ``PlayerClient`` call that makes the same request, and (:class:`Deviation`) where that one
  deliberately sends something else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .reference import GENERATED, TYPES, Deviation
from .schema import F, nul, opt, optnul, req

# --- response types ---------------------------------------------------------------------------
#
# As in reference.py, `number` is written "int" only for counts and positions (`rank`,
# `places`, quantities and balances, which the ledgers keep whole); scores, thresholds and reward
# amounts stay "number". Timestamps are "iso".

#: Shapes the client's types.ts defines exactly as the server SDKs' do (same fields, same
#: optionality), taken from the server table rather than written twice.
_SHARED = (
    "Grant",
    "Attempt",
    "MilestoneFired",
    "PlayerIdentity",
    "FriendRequestPlayer",
    "FriendRequest",
    "FriendRequests",
    "BlockedPlayer",
)


def _holding(key: str, amount: str) -> dict[str, F]:
    return {
        key: req("str"),
        amount: req("int"),
        "metadata": req("object"),
        "createdAt": req("iso"),
        "updatedAt": req("iso"),
    }


def _flag(name: str) -> dict[str, F]:
    """The ``{<name>: boolean}`` answers resources.ts declares inline (decline, cancel...)."""
    return {name: req("bool")}


_PROGRESSION = opt("map[number]")  # `progression?: Record<string, number>` on social rows

CLIENT_TYPES: dict[str, dict[str, F]] = {
    **{name: TYPES[name] for name in _SHARED},
    # types.ts `PlayerRegistration` and the `SyntheticIdentity` it holds (whose avatar, unlike
    # the server SDKs' one, may be null).
    "PlayerRegistration": {
        "playerId": req("str"),
        "externalPlayerId": req("str"),
        "secret": req("str"),
        "secretPrefix": optnul("str"),
        "registeredAt": optnul("iso"),
        "country": optnul("str"),
        "syntheticIdentity": optnul("SyntheticIdentity"),
        "displayIdentity": optnul("PlayerIdentity"),
        "anonymizedIdentity": optnul("PlayerIdentity"),
    },
    "SyntheticIdentity": {"name": req("str"), "avatar": optnul("str")},
    "OpenCrateResponse": {"crate": req("Grant"), "contents": req("Grant")},
    # types.ts `PlayerWalletHolding` / `PlayerItemHolding`; resources.ts reads the lists as
    # `{wallet?: [...]}` / `{items?: [...]}` (absent reads as empty).
    "PlayerWalletHolding": _holding("economyKey", "balance"),
    "PlayerItemHolding": _holding("itemKey", "quantity"),
    "WalletList": {"wallet": opt("list[PlayerWalletHolding]")},
    "ItemList": {"items": opt("list[PlayerItemHolding]")},
    "DebitWalletResult": {"economyKey": req("str"), "balance": req("int"), "applied": req("bool")},
    "ConsumeItemResult": {"itemKey": req("str"), "quantity": req("int"), "applied": req("bool")},
    # types.ts `EventListing` and what it nests: `EntryCost`, `MilestoneRewardPreview`,
    # `RewardPolicySummary`, `RewardBundlePreview` and the `RewardEntryPreview` union.
    "EventListing": {
        "eventKey": req("str"),
        "name": req("any"),  # LocalizedString: `unknown`
        "windowId": req("str"),
        "startsAt": req("iso"),
        "endsAt": req("iso"),
        "leaderboardId": nul("str"),
        "currentAttemptId": nul("str"),
        "type": opt("str"),
        "leaderboardMode": opt("str"),
        "metrics": opt("list[object]"),
        "entryRequirement": optnul("object"),
        "entryCost": optnul("EntryCost"),
        "metadata": opt("object"),
        "milestoneRewards": opt("list[MilestoneRewardPreview]"),
        "rewardPolicy": opt("RewardPolicySummary"),
    },
    "EntryCost": {
        "currencies": opt("list[EntryCostCurrency]"),
        "items": opt("list[EntryCostItem]"),
    },
    "EntryCostCurrency": {"key": req("str"), "amount": req("number")},
    "EntryCostItem": {"key": req("str"), "quantity": req("number")},
    "MilestoneRewardPreview": {
        "key": req("str"),
        "metricKey": req("str"),
        "threshold": req("number"),
        "entries": req("list[CurrencyEntry|ItemEntry|CrateEntry]"),
    },
    "CurrencyEntry": {
        "type": req("str", "currency"),
        "currencyKey": req("str"),
        "amount": req("number"),
    },
    "ItemEntry": {
        "type": req("str", "item"),
        "itemKey": req("str"),
        "quantity": req("number"),
        "parameters": opt("object"),
    },
    "CrateEntry": {
        "type": req("str", "crate"),
        "crateItemKey": req("str"),
        "quantity": req("number"),
    },
    "RewardBundlePreview": {
        "key": req("str"),
        "name": req("any"),
        "entries": req("list[CurrencyEntry|ItemEntry|CrateEntry]"),
    },
    "RewardPolicySummary": {
        "type": req("str"),  # 'none' | 'fixed_bundle' | 'rank_scaled' | 'shared_pool' | string
        "bundle": optnul("RewardBundlePreview"),
        "tiers": opt("list[RankTier]"),
        "pool": opt("number"),
        "currencyKey": opt("str"),
    },
    "RankTier": {
        "fromRank": req("int"),
        "toRank": req("int"),
        "bundle": nul("RewardBundlePreview"),
    },
    "StartAttemptResponse": {
        "attempt": req("Attempt"),
        "leaderboardId": req("str"),
        "windowEndsAt": req("iso"),
    },
    "ProgressResponse": {"attempt": req("Attempt"), "milestonesFired": req("list[MilestoneFired]")},
    "FinishAttemptResponse": {
        "attempt": req("Attempt"),
        "outcome": req("str", "completed", "expired"),
    },
    # types.ts `Leaderboard`, `EventLeaderboard`, `LeaderboardEntry`, `ProgressionLimits` and
    # the inline `self: {rank, score} | null`.
    "Leaderboard": {
        "key": req("str"),
        "leaderboardId": req("str"),
        "scope": req("str", "game", "studio"),
        "resetCadence": req("str", "never", "weekly", "monthly"),
        "scoreAggregation": req("str", "best", "latest", "sum"),
        "segment": nul("str"),
        "period": req("iso"),
        "progression": opt("ProgressionLimits"),
        "entries": req("list[LeaderboardEntry]"),
        "self": nul("SelfStanding"),
        "joined": opt("bool"),
    },
    "EventLeaderboard": {
        "leaderboardId": req("str"),
        "mode": req("str"),
        "finalized": req("bool"),
        "entries": req("list[LeaderboardEntry]"),
        "self": nul("SelfStanding"),
        "progression": opt("ProgressionLimits"),
        "joined": opt("bool"),
    },
    "LeaderboardEntry": {
        "participantId": req("str"),
        "kind": req("str", "player", "bot"),
        "name": nul("str"),
        "avatar": optnul("str"),
        "country": optnul("str"),
        "anonymizedName": optnul("str"),
        "anonymizedAvatar": optnul("str"),
        "score": req("number"),
        "rank": req("int"),
        "isSelf": req("bool"),
        "progression": opt("map[number]"),
    },
    "SelfStanding": {"rank": req("int"), "score": req("number")},
    "ProgressionLimits": {"promotion": nul("LadderLimit"), "relegation": nul("LadderLimit")},
    "LadderLimit": {"places": req("int"), "itemKey": req("str")},
    # resources.ts `setIdentity` / `getIdentity` / `getAnonymizedIdentity` envelopes (inline).
    "SetIdentityAnswer": {
        "externalPlayerId": req("str"),
        "displayIdentity": nul("PlayerIdentity"),
        "anonymizedIdentity": nul("PlayerIdentity"),
    },
    "DisplayIdentityAnswer": {"displayIdentity": nul("PlayerIdentity")},
    "AnonymizedIdentityAnswer": {"anonymizedIdentity": nul("PlayerIdentity")},
    # types.ts friends section: `FriendCode`, `PlayerPresence`, `Friend` (the client's has two
    # optional fields more than the server SDKs'), `SendFriendRequestResult`,
    # `FriendSearchResult`; the list and flag envelopes are resources.ts's inline ones.
    "FriendCode": {
        "friendCode": req("str"),
        "displayIdentity": nul("PlayerIdentity"),
        "progression": _PROGRESSION,
    },
    "PlayerPresence": {"online": req("bool"), "lastActiveAt": nul("iso"), "status": nul("str")},
    "Friend": {**TYPES["Friend"], "progression": _PROGRESSION, "giftCooldownUntil": opt("iso")},
    "FriendsList": {"friends": req("list[Friend]")},
    "FriendAnswer": {"friend": req("Friend")},
    "SendFriendRequestResult": {
        "status": req("str", "pending", "accepted"),
        "request": opt("FriendRequest"),
        "friend": opt("Friend"),
    },
    "FriendSearchResult": {
        "externalPlayerId": req("str"),
        "displayIdentity": nul("PlayerIdentity"),
        "relationship": req("str", "none", "friends", "request_incoming", "request_outgoing"),
        "progression": _PROGRESSION,
    },
    "SearchResults": {"results": req("list[FriendSearchResult]")},
    "BlockedList": {"blocked": req("list[BlockedPlayer]")},
    "BlockAnswer": {"blocked": req("BlockedPlayer")},
    "Declined": _flag("declined"),
    "Cancelled": _flag("cancelled"),
    "Removed": _flag("removed"),
    "Unblocked": _flag("unblocked"),
}


# --- request bodies ---------------------------------------------------------------------------
#
# client.ts stamps an `idempotencyKey` into every POST/PUT/PATCH body that has none (a missing
# body becomes `{idempotencyKey}`), so it is required in each of them; GET and DELETE carry no
# body. Fields the caller may leave out are `opt`; ones it may also send as `null`, `optnul`.

_KEY = req("str")

CLIENT_REQUESTS: dict[str, dict[str, F]] = {
    # register, claim, open, finish, accept, decline: resources.ts sends `{}`.
    "KeyOnly": {"idempotencyKey": _KEY},
    # events.start sends `{playerContext}`; an undefined context is dropped by JSON.stringify.
    "StartBody": {"playerContext": opt("object"), "idempotencyKey": _KEY},
    # types.ts `ProgressInput`, sent as given.
    "ProgressInput": {
        "mode": req("str", "set", "increment"),
        "metricValue": opt("number"),
        "metrics": opt("map[number]"),
        "occurredAt": opt("iso"),
        "idempotencyKey": _KEY,
    },
    # types.ts `DebitWalletInput` / `ConsumeItemInput`, sent as given.
    "DebitWalletInput": {"amount": req("int"), "reason": opt("str"), "idempotencyKey": _KEY},
    "ConsumeItemInput": {"quantity": req("int"), "reason": opt("str"), "idempotencyKey": _KEY},
    # setIdentity copies `avatar` only when it is not undefined (so `null` travels).
    "SetIdentityBody": {"name": req("str"), "avatar": optnul("str"), "idempotencyKey": _KEY},
    # heartbeat copies `status` only when it is not undefined (`null` clears it).
    "HeartbeatBody": {"status": optnul("str"), "idempotencyKey": _KEY},
    # types.ts `FriendTarget`: exactly one of the two (add and block send it as given).
    "FriendTarget": {
        "friendCode": opt("str"),
        "externalPlayerId": opt("str"),
        "idempotencyKey": _KEY,
    },
}


# --- endpoints --------------------------------------------------------------------------------

_PLAYER = "/sdk/v1/players/{externalId}"


@dataclass(frozen=True)
class ClientEndpoint:
    """One client method: the request resources.ts builds and how it reads the answer.

    ``route`` is the path template (``{name}`` for each encodeURIComponent'd segment);
    ``query`` the parameter names it may add, in the order it adds them; ``body`` the
    ``CLIENT_REQUESTS`` type of its body (``None``: it sends none). ``wire`` is the type of
    ``data`` and ``pick`` the field of it the method returns (``None``: all of ``data``).
    """

    method: str
    route: str
    wire: str
    status: int = 200
    pick: str | None = None
    query: tuple[str, ...] = ()
    body: str | None = None

    @property
    def needs_secret(self) -> bool:
        """Whether Kraty Local needs ``X-Player-Secret`` here (section 10: player routes other
        than register)."""
        return self.route.startswith(_PLAYER) and not self.route.endswith("/register")


def _post(route: str, wire: str, body: str = "KeyOnly", **options: Any) -> ClientEndpoint:
    return ClientEndpoint("POST", _PLAYER + route, wire, body=body, **options)


def _get(route: str, wire: str, **options: Any) -> ClientEndpoint:
    return ClientEndpoint("GET", _PLAYER + route, wire, **options)


def _delete(route: str, wire: str) -> ClientEndpoint:
    return ClientEndpoint("DELETE", _PLAYER + route, wire)


_BOARD_QUERY = ("limit", "progression", "segment", "period", "includeSelf", "externalId")

CLIENT_ENDPOINTS: dict[str, ClientEndpoint] = {
    "players.register": _post("/register", "PlayerRegistration", status=201, query=("force",)),
    "players.setIdentity": ClientEndpoint(
        "PUT",
        _PLAYER + "/identity",
        "SetIdentityAnswer",
        pick="displayIdentity",
        body="SetIdentityBody",
    ),
    "players.getIdentity": _get("/identity", "DisplayIdentityAnswer", pick="displayIdentity"),
    "players.getAnonymizedIdentity": _get(
        "/identity", "AnonymizedIdentityAnswer", pick="anonymizedIdentity"
    ),
    "grants.listPending": _get("/pending-grants", "list[Grant]", query=("limit",)),
    "grants.claim": _post("/grants/{grantId}/claim", "Grant"),
    "grants.open": _post("/crates/{grantId}/open", "OpenCrateResponse"),
    "wallet.list": _get("/wallet", "WalletList", pick="wallet"),
    "wallet.debit": _post(
        "/wallet/{economyKey}/debit", "DebitWalletResult", body="DebitWalletInput"
    ),
    "inventory.list": _get("/inventory", "ItemList", pick="items"),
    "inventory.consume": _post(
        "/inventory/{itemKey}/consume", "ConsumeItemResult", body="ConsumeItemInput"
    ),
    "events.listForPlayer": _get("/events", "list[EventListing]"),
    "events.start": _post(
        "/events/{eventKey}/start", "StartAttemptResponse", body="StartBody", status=201
    ),
    "events.progress": _post(
        "/events/{eventKey}/attempts/{attemptId}/progress",
        "ProgressResponse",
        body="ProgressInput",
    ),
    "events.finish": _post(
        "/events/{eventKey}/attempts/{attemptId}/finish", "FinishAttemptResponse"
    ),
    "leaderboards.read": ClientEndpoint(
        "GET", "/sdk/v1/leaderboards/{key}", "Leaderboard", query=_BOARD_QUERY
    ),
    "eventLeaderboards.read": ClientEndpoint(
        "GET",
        "/sdk/v1/event-leaderboards/{leaderboardId}",
        "EventLeaderboard",
        query=("limit", "progression", "includeSelf", "externalId"),
    ),
    "friends.getCode": _get("/friend-code", "FriendCode", query=("progression",)),
    "friends.heartbeat": _post("/presence", "PlayerPresence", body="HeartbeatBody"),
    "friends.list": _get("/friends", "FriendsList", pick="friends", query=("progression",)),
    "friends.search": _get(
        "/friends/search",
        "SearchResults",
        pick="results",
        query=("q", "limit", "progression"),
    ),
    "friends.listRequests": _get("/friends/requests", "FriendRequests", query=("progression",)),
    "friends.add": _post(
        "/friends/requests", "SendFriendRequestResult", body="FriendTarget", status=201
    ),
    "friends.accept": _post("/friends/requests/{requestId}/accept", "FriendAnswer", pick="friend"),
    "friends.decline": _post("/friends/requests/{requestId}/decline", "Declined"),
    "friends.cancelRequest": _delete("/friends/requests/{requestId}", "Cancelled"),
    "friends.remove": _delete("/friends/{friendExternalId}", "Removed"),
    "friends.listBlocks": _get("/blocks", "BlockedList", pick="blocked"),
    "friends.block": _post(
        "/blocks", "BlockAnswer", body="FriendTarget", status=201, pick="blocked"
    ),
    "friends.unblock": _delete("/blocks/{blockedExternalId}", "Unblocked"),
}


# --- headers ----------------------------------------------------------------------------------

#: Headers client.ts sends on every request (names are case-insensitive); content-type only with
#: a body (every POST/PUT, since the key is stamped in; never on GET or DELETE).
CLIENT_HEADERS = {"authorization": "Bearer {client_key}", "accept": "application/json"}
CLIENT_BODY_HEADERS = {"content-type": "application/json"}
#: client.ts sends the player's secret on EVERY request once it holds one (after register, or
#: given at construction), player route or not; the first register goes without it.
SECRET_HEADER = "x-player-secret"

#: Applies to every sample: the client names itself in ``x-kraty-sdk`` (a stale version, too).
SDK_HEADER_DEVIATION = Deviation(
    "header:x-kraty-sdk",
    None,
    "client.ts sends x-kraty-sdk: @kraty/sdk/<version>; PlayerClient sends no such header: "
    "section 10 makes it informational only (Kraty Local never reads it).",
)
#: On the key-only board reads, PlayerClient holds the secret back.
NO_SECRET_ON_KEY_READS = Deviation(
    f"header:{SECRET_HEADER}",
    None,
    "client.ts sends the secret on every request; PlayerClient sends it only where it opens "
    "something (player routes), so the secret travels no further than it must. Section 10: "
    "Kraty Local ignores it on key-only reads, never rejects it.",
)


# --- sample calls -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OurCall:
    """A ``PlayerClient`` method call: name, positional and keyword arguments."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClientSample:
    """One client call and the exact request it sends.

    ``path`` is the path and query string as resources.ts builds them; ``{player}`` is the
    acting player's id and other ``{names}`` are ids the scenario learns as it goes (a grant's,
    an attempt's...), in ``body`` strings too. ``ours`` makes the same request with
    ``PlayerClient``, which must send it exactly, with ``deviations`` applied.
    """

    id: str
    endpoint: str
    ts_call: str
    path: str
    body: dict[str, Any] | None
    ours: OurCall
    deviations: tuple[Deviation, ...] = ()

    @property
    def spec(self) -> ClientEndpoint:
        """The endpoint facts of this sample's method."""
        return CLIENT_ENDPOINTS[self.endpoint]


def _sample(
    id_: str,
    ts_call: str,
    path: str,
    body: dict[str, Any] | None,
    ours: OurCall,
    *deviations: Deviation,
) -> ClientSample:
    return ClientSample(id_, id_.split("/")[0], ts_call, path, body, ours, deviations)


_ME = "/sdk/v1/players/{player}"
_KEYED = {"idempotencyKey": GENERATED}
_NO_PROGRESSION = "PlayerClient offers no `progression` (Kraty Local has no progression "
_NO_PROGRESSION += "resources and ignores the parameter; section 10 does not list it)"


def _without_progression(path: str) -> Deviation:
    return Deviation("path", path, _NO_PROGRESSION + ".")


def _spend(endpoint: str, key: str, units: str, ours: str, reason: str) -> list[ClientSample]:
    """A debit or consume of ``key``: as plain as the client allows, and with every optional
    field (its own idempotency key too)."""
    resource, action = endpoint.split(".")
    path, given = f"{_ME}/{resource}/{key}/{action}", f"{reason}-1"
    return [
        _sample(
            endpoint,
            f"{endpoint}('{key}', {{{units}: 1}})",
            path,
            {units: 1, "idempotencyKey": GENERATED},
            OurCall(ours, (key, 1)),
        ),
        _sample(
            f"{endpoint}/reason-and-key",
            f"{endpoint}('{key}', {{{units}: 2, reason: '{reason}', idempotencyKey: '{given}'}})",
            path,
            {units: 2, "reason": reason, "idempotencyKey": given},
            OurCall(ours, (key, 2), {"reason": reason, "idempotency_key": given}),
        ),
    ]


def _targeted(endpoint: str, route: str, ours: str) -> list[ClientSample]:
    """A friend request or block: aimed by external id, and by friend code."""
    return [
        _sample(
            f"{endpoint}/{how}",
            f"{endpoint}({{{field}: '{{{value}}}'}})",
            f"{_ME}/{route}",
            {field: f"{{{value}}}", "idempotencyKey": GENERATED},
            OurCall(ours, kwargs={argument: f"{{{value}}}"}),
        )
        for how, field, value, argument in (
            ("by-id", "externalPlayerId", "other", "external_player_id"),
            ("by-code", "friendCode", "friendCode", "friend_code"),
        )
    ]


CLIENT_SAMPLES: list[ClientSample] = [
    _sample(
        "players.register",
        "players.register('{player}')",
        f"{_ME}/register",
        _KEYED,
        OurCall("register"),
    ),
    _sample(
        "players.register/force",
        "players.register('{player}', {force: true})",
        f"{_ME}/register?force=true",
        _KEYED,
        OurCall("register", kwargs={"force": True}),
    ),
    _sample(
        "grants.listPending",
        "grants.listPending()",
        f"{_ME}/pending-grants",
        None,
        OurCall("pending_grants"),
    ),
    _sample(
        "grants.listPending/limit",
        "grants.listPending({limit: 10})",
        f"{_ME}/pending-grants?limit=10",
        None,
        OurCall("pending_grants", kwargs={"limit": 10}),
    ),
    _sample(
        "grants.claim",
        "grants.claim('{grantId}')",
        f"{_ME}/grants/{{grantId}}/claim",
        _KEYED,
        OurCall("claim", ("{grantId}",)),
    ),
    _sample(
        "grants.open",
        "grants.open('{crateId}')",
        f"{_ME}/crates/{{crateId}}/open",
        _KEYED,
        OurCall("open_crate", ("{crateId}",)),
    ),
    _sample("wallet.list", "wallet.list()", f"{_ME}/wallet", None, OurCall("wallet")),
    *_spend("wallet.debit", "gold", "amount", "debit", "shop"),
    _sample("inventory.list", "inventory.list()", f"{_ME}/inventory", None, OurCall("inventory")),
    *_spend("inventory.consume", "sword", "quantity", "consume", "used"),
    _sample(
        "events.listForPlayer",
        "events.listForPlayer()",
        f"{_ME}/events",
        None,
        OurCall("events"),
    ),
    _sample(
        "events.start",
        "events.start('weekly_race')",
        f"{_ME}/events/weekly_race/start",
        _KEYED,
        OurCall("start", ("weekly_race",)),
    ),
    _sample(
        "events.start/player-context",
        "events.start('weekly_race', {country: 'PT'})",
        f"{_ME}/events/weekly_race/start",
        {"playerContext": {"country": "PT"}, "idempotencyKey": GENERATED},
        OurCall("start", ("weekly_race",), {"player_context": {"country": "PT"}}),
    ),
    _sample(
        "events.progress",
        "events.progress('weekly_race', '{attemptId}', {mode: 'increment', metricValue: 200})",
        f"{_ME}/events/weekly_race/attempts/{{attemptId}}/progress",
        {"mode": "increment", "metricValue": 200, "idempotencyKey": GENERATED},
        OurCall("progress", ("weekly_race", "{attemptId}"), {"metric_value": 200}),
    ),
    _sample(
        "events.progress/everything",
        "events.progress('weekly_race', '{otherAttemptId}', {mode: 'set', metrics: {kills: 3}, "
        "occurredAt: '{now}', idempotencyKey: 'progress-1'})",
        f"{_ME}/events/weekly_race/attempts/{{otherAttemptId}}/progress",
        {
            "mode": "set",
            "metrics": {"kills": 3},
            "occurredAt": "{now}",
            "idempotencyKey": "progress-1",
        },
        OurCall(
            "progress",
            ("weekly_race", "{otherAttemptId}"),
            {
                "mode": "set",
                "metrics": {"kills": 3},
                "occurred_at": "{now}",
                "idempotency_key": "progress-1",
            },
        ),
    ),
    _sample(
        "events.finish",
        "events.finish('weekly_race', '{attemptId}')",
        f"{_ME}/events/weekly_race/attempts/{{attemptId}}/finish",
        _KEYED,
        OurCall("finish", ("weekly_race", "{attemptId}")),
    ),
    _sample(
        "leaderboards.read",
        "leaderboards.read('speedrun_board')",
        "/sdk/v1/leaderboards/speedrun_board",
        None,
        OurCall("leaderboard", ("speedrun_board",)),
        NO_SECRET_ON_KEY_READS,
    ),
    _sample(
        "leaderboards.read/everything",
        "leaderboards.read('speedrun_board', {limit: 10, progression: ['level', 'trophies'], "
        "period: 'current', includeSelf: true})",
        "/sdk/v1/leaderboards/speedrun_board?limit=10&progression=level%2Ctrophies"
        "&period=current&includeSelf=true&externalId={player}",
        None,
        OurCall(
            "leaderboard",
            ("speedrun_board",),
            {"limit": 10, "period": "current", "include_self": True},
        ),
        NO_SECRET_ON_KEY_READS,
        _without_progression(
            "/sdk/v1/leaderboards/speedrun_board?limit=10&period=current&includeSelf=true"
            "&externalId={player}"
        ),
    ),
    _sample(  # URLSearchParams writes ':' as %3A
        "leaderboards.read/period",
        "leaderboards.read('speedrun_board', {period: '{period}'})",
        "/sdk/v1/leaderboards/speedrun_board?period={period}",
        None,
        OurCall("leaderboard", ("speedrun_board",), {"period": "{period}"}),
        NO_SECRET_ON_KEY_READS,
    ),
    _sample(
        "leaderboards.read/segment",
        "leaderboards.read('speedrun_board', {segment: 'NA'})",
        "/sdk/v1/leaderboards/speedrun_board?segment=NA",
        None,
        OurCall("leaderboard", ("speedrun_board",), {"segment": "NA"}),
        NO_SECRET_ON_KEY_READS,
    ),
    _sample(
        "eventLeaderboards.read",
        "eventLeaderboards.read('{boardId}')",
        "/sdk/v1/event-leaderboards/{boardId}",
        None,
        OurCall("event_leaderboard", ("{boardId}",)),
        NO_SECRET_ON_KEY_READS,
    ),
    _sample(
        "eventLeaderboards.read/everything",
        "eventLeaderboards.read('{boardId}', {limit: 5, progression: ['level'], "
        "includeSelf: true})",
        "/sdk/v1/event-leaderboards/{boardId}?limit=5&progression=level&includeSelf=true"
        "&externalId={player}",
        None,
        OurCall("event_leaderboard", ("{boardId}",), {"limit": 5, "include_self": True}),
        NO_SECRET_ON_KEY_READS,
        _without_progression(
            "/sdk/v1/event-leaderboards/{boardId}?limit=5&includeSelf=true&externalId={player}"
        ),
    ),
    _sample(
        "players.setIdentity",
        "players.setIdentity({name: 'Ann', avatar: 'https://cdn.example/ann.png'})",
        f"{_ME}/identity",
        {"name": "Ann", "avatar": "https://cdn.example/ann.png", "idempotencyKey": GENERATED},
        OurCall("set_identity", ("Ann",), {"avatar": "https://cdn.example/ann.png"}),
    ),
    _sample(
        "players.setIdentity/avatar-null",
        "players.setIdentity({name: 'Ann', avatar: null})",
        f"{_ME}/identity",
        {"name": "Ann", "avatar": None, "idempotencyKey": GENERATED},
        OurCall("set_identity", ("Ann",), {"avatar": None}),
        Deviation(
            "body",
            {"name": "Ann", "idempotencyKey": GENERATED},
            "PlayerClient leaves a None avatar out; the TS client sends the null it was given. "
            "Both clear the avatar (resources.ts: 'Pass avatar: null (or omit) to clear').",
        ),
    ),
    _sample(
        "players.setIdentity/name-only",
        "players.setIdentity({name: 'Bea Bright'})",
        f"{_ME}/identity",
        {"name": "Bea Bright", "idempotencyKey": GENERATED},
        OurCall("set_identity", ("Bea Bright",)),
    ),
    _sample(
        "players.getIdentity",
        "players.getIdentity()",
        f"{_ME}/identity",
        None,
        OurCall("identity"),
    ),
    _sample(
        "players.getAnonymizedIdentity",
        "players.getAnonymizedIdentity()",
        f"{_ME}/identity",
        None,
        OurCall("identity"),
    ),
    _sample(
        "friends.getCode",
        "friends.getCode()",
        f"{_ME}/friend-code",
        None,
        OurCall("friend_code"),
    ),
    _sample(
        "friends.getCode/progression",
        "friends.getCode({progression: ['level']})",
        f"{_ME}/friend-code?progression=level",
        None,
        OurCall("friend_code"),
        _without_progression(f"{_ME}/friend-code"),
    ),
    _sample(
        "friends.heartbeat",
        "friends.heartbeat()",
        f"{_ME}/presence",
        _KEYED,
        OurCall("heartbeat"),
    ),
    _sample(
        "friends.heartbeat/status",
        "friends.heartbeat({status: 'lobby'})",
        f"{_ME}/presence",
        {"status": "lobby", "idempotencyKey": GENERATED},
        OurCall("heartbeat", kwargs={"status": "lobby"}),
    ),
    _sample(
        "friends.heartbeat/clear",
        "friends.heartbeat({status: null})",
        f"{_ME}/presence",
        {"status": None, "idempotencyKey": GENERATED},
        OurCall("heartbeat", kwargs={"status": None}),
    ),
    *_targeted("friends.add", "friends/requests", "add_friend"),
    _sample(
        "friends.listRequests",
        "friends.listRequests()",
        f"{_ME}/friends/requests",
        None,
        OurCall("friend_requests"),
    ),
    _sample(
        "friends.listRequests/progression",
        "friends.listRequests({progression: ['level', 'trophies']})",
        f"{_ME}/friends/requests?progression=level%2Ctrophies",
        None,
        OurCall("friend_requests"),
        _without_progression(f"{_ME}/friends/requests"),
    ),
    _sample(
        "friends.search",
        "friends.search('b')",
        f"{_ME}/friends/search?q=b",
        None,
        OurCall("search", ("b",)),
    ),
    _sample(  # URLSearchParams writes a space as '+'
        "friends.search/name-and-limit",
        "friends.search('Bea B', {limit: 5})",
        f"{_ME}/friends/search?q=Bea+B&limit=5",
        None,
        OurCall("search", ("Bea B",), {"limit": 5}),
    ),
    _sample(
        "friends.accept",
        "friends.accept('{requestId}')",
        f"{_ME}/friends/requests/{{requestId}}/accept",
        _KEYED,
        OurCall("accept", ("{requestId}",)),
    ),
    _sample(
        "friends.decline",
        "friends.decline('{requestId}')",
        f"{_ME}/friends/requests/{{requestId}}/decline",
        _KEYED,
        OurCall("decline", ("{requestId}",)),
    ),
    _sample(
        "friends.cancelRequest",
        "friends.cancelRequest('{requestId}')",
        f"{_ME}/friends/requests/{{requestId}}",
        None,
        OurCall("cancel_request", ("{requestId}",)),
    ),
    _sample("friends.list", "friends.list()", f"{_ME}/friends", None, OurCall("friends")),
    _sample(
        "friends.list/progression",
        "friends.list({progression: ['level']})",
        f"{_ME}/friends?progression=level",
        None,
        OurCall("friends"),
        _without_progression(f"{_ME}/friends"),
    ),
    _sample(
        "friends.remove",
        "friends.remove('{other}')",
        f"{_ME}/friends/{{other}}",
        None,
        OurCall("remove_friend", ("{other}",)),
    ),
    *_targeted("friends.block", "blocks", "block"),
    _sample(
        "friends.listBlocks",
        "friends.listBlocks()",
        f"{_ME}/blocks",
        None,
        OurCall("blocks"),
    ),
    _sample(
        "friends.unblock",
        "friends.unblock('{other}')",
        f"{_ME}/blocks/{{other}}",
        None,
        OurCall("unblock", ("{other}",)),
    ),
]


# --- refusals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientRefusal:
    """A sample call the client SDK documents as refused, with the status and code it expects.

    Made by ``player`` once the scenario has played (``values`` fill the sample's names);
    the answer is errors.ts's ``{error: {code, message, details?}}``.
    """

    label: str
    sample: str
    player: str
    status: int
    code: str
    source: str
    values: dict[str, str] = field(default_factory=dict)


#: By then ann is a friend of dee and blocks bob; cy holds no gold and no sword; zed never
#: registered.
CLIENT_REFUSALS = [
    ClientRefusal(
        "register-again",
        "players.register",
        "ann",
        409,
        "player_already_registered",
        "resources.ts register: 'isPlayerAlreadyRegistered' if the player has a secret",
    ),
    ClientRefusal(
        "no-secret",
        "wallet.list",
        "zed",
        401,
        "player_secret_invalid",
        "client.ts playerSecret: player routes without it return 401 player_secret_invalid",
    ),
    ClientRefusal(
        "debit-short",
        "wallet.debit",
        "cy",
        409,
        "conflict",
        "resources.ts debit: '409 on insufficient balance'",
    ),
    ClientRefusal(
        "consume-short",
        "inventory.consume",
        "cy",
        409,
        "conflict",
        "resources.ts consume: 'conflict if the player doesn't have enough of the item'",
    ),
    ClientRefusal(
        "add-self",
        "friends.add/by-id",
        "ann",
        400,
        "cannot_friend_self",
        "resources.ts friends.add: cannot_friend_self (400)",
        {"other": "ann"},
    ),
    ClientRefusal(
        "add-blocked",
        "friends.add/by-id",
        "ann",
        403,
        "player_blocked",
        "resources.ts friends.add: player_blocked (403)",
        {"other": "bob"},
    ),
    ClientRefusal(
        "add-a-friend",
        "friends.add/by-id",
        "ann",
        409,
        "already_friends",
        "resources.ts friends.add: already_friends (409)",
        {"other": "dee"},
    ),
    ClientRefusal(
        "add-unknown-code",
        "friends.add/by-code",
        "ann",
        404,
        "friend_code_invalid",
        "resources.ts friends.add: friend_code_invalid (404)",
        {"friendCode": "AAAAAA"},
    ),
]
