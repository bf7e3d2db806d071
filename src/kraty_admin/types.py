"""Typed shapes of request rows and responses (plain ``dict``s at run time).

The SDK returns the wire shape as-is: keys stay camelCase, timestamps are ISO-8601 strings.
"""

from __future__ import annotations

import sys
from typing import Any, Literal

if sys.version_info >= (3, 12):
    from typing import TypedDict
else:  # pydantic (Kraty Local) needs this TypedDict before 3.12; anyio brings the package
    from typing_extensions import TypedDict

JSONObject = dict[str, Any]

# --- request shapes --------------------------------------------------------------------------


class _CurrencyEntryBase(TypedDict):
    type: Literal["currency"]
    currencyKey: str
    amount: int


class CurrencyEntry(_CurrencyEntryBase, total=False):
    """A grant entry that credits a currency."""


class _ItemEntryBase(TypedDict):
    type: Literal["item"]
    itemKey: str
    quantity: int


class ItemEntry(_ItemEntryBase, total=False):
    """A grant entry that adds items (with optional rolled ``parameters``)."""

    parameters: JSONObject


class CrateEntry(TypedDict):
    """A grant entry that adds crates, each of which becomes a child grant when claimed."""

    type: Literal["crate"]
    crateItemKey: str
    quantity: int


GrantEntry = CurrencyEntry | ItemEntry | CrateEntry


class _MigratePlayerRowBase(TypedDict):
    externalPlayerId: str
    idempotencyKey: str


class MigratePlayerRow(_MigratePlayerRowBase, total=False):
    """One row of ``migrate.players``."""

    contextSnapshot: JSONObject


class _MigrateWalletRowBase(TypedDict):
    externalPlayerId: str
    economyKey: str
    amount: int
    idempotencyKey: str


class MigrateWalletRow(_MigrateWalletRowBase, total=False):
    """One row of ``migrate.wallet``."""

    reason: str


class _MigrateInventoryRowBase(TypedDict):
    externalPlayerId: str
    itemKey: str
    quantity: int
    idempotencyKey: str


class MigrateInventoryRow(_MigrateInventoryRowBase, total=False):
    """One row of ``migrate.inventory``."""

    parameters: JSONObject
    reason: str


# --- responses -------------------------------------------------------------------------------


class _GrantBase(TypedDict):
    id: str
    kind: Literal["reward", "crate"]
    contents: JSONObject  # {"entries": [...]} as sent; a rolled crate lists what it rolled
    sourceKind: str
    sourceRefId: str | None
    parentGrantId: str | None
    status: Literal["pending", "claimed", "expired"]
    rolledAt: str | None
    claimedAt: str | None
    expiresAt: str | None
    createdAt: str


class Grant(_GrantBase, total=False):
    """A grant (an inbox item); Kraty Local also returns ``metadata`` and ``ackedBy``."""

    metadata: JSONObject | None
    ackedBy: str | None


class InventoryChange(TypedDict):
    """Result of ``inventory.grant`` / ``inventory.revoke``: the new total."""

    itemKey: str
    quantity: int
    applied: bool


class WalletChange(TypedDict):
    """Result of ``wallet.credit`` / ``wallet.debit``: the new balance."""

    economyKey: str
    balance: int
    applied: bool


class _LobbyBase(TypedDict):
    id: str
    eventId: str
    eventWindowId: str
    leaderboardId: str | None
    mode: str
    status: str
    capacity: int
    fillBy: str | None
    participantCount: int
    startedAt: str | None
    endsAt: str | None


class LobbyParticipant(TypedDict):
    """A player seated in a lobby."""

    externalPlayerId: str


class Lobby(_LobbyBase, total=False):
    """A lobby (``status`` is ``forming``, ``active`` or ``closed``).

    ``botSlots`` may be absent; Kraty Local always sends it, and adds ``participants`` when the
    lobby is read.
    """

    botSlots: int
    participants: list[LobbyParticipant]


class PlayerInfo(TypedDict):
    """The player row of a snapshot."""

    id: str
    externalPlayerId: str
    studioId: str
    gameId: str
    createdAt: str
    updatedAt: str


class InventoryHolding(TypedDict):
    """One item holding of a player."""

    itemKey: str
    quantity: int
    metadata: JSONObject
    createdAt: str
    updatedAt: str


class WalletHolding(TypedDict):
    """One currency balance of a player."""

    economyKey: str
    balance: int
    metadata: JSONObject
    createdAt: str
    updatedAt: str


class PlayerSnapshot(TypedDict):
    """``players.get``: the unified view for support tools."""

    player: PlayerInfo
    inventory: list[InventoryHolding]
    wallet: list[WalletHolding]
    recentGrants: list[Grant]


class PlayerDeletion(TypedDict):
    """``players.delete``: the outcome of a GDPR erasure."""

    playerId: str | None
    externalPlayerId: str
    anonymizedExternalId: str | None
    deletedAt: str
    attemptsAnonymized: int
    lobbiesAnonymized: int
    leaderboardsScrubbed: int
    status: Literal["erased", "no_op_already_erased", "no_op_never_existed"]


class _ExportedPlayerBase(TypedDict):
    id: str
    externalPlayerId: str
    studioId: str
    gameId: str
    firstSeenAt: str
    lastSeenAt: str
    lastContextSnapshot: JSONObject | None
    registeredAt: str | None
    secretRotatedAt: str | None
    deletedAt: str | None


class ExportedPlayer(_ExportedPlayerBase, total=False):
    """The player row of an export; Kraty Local adds timestamps, the ban and the identity."""

    createdAt: str
    updatedAt: str
    bannedAt: str | None
    banReason: str | None
    syntheticIdentity: SyntheticIdentity | None
    country: str | None


class _PlayerExportBase(TypedDict):
    schemaVersion: int
    exportedAt: str
    player: ExportedPlayer
    attempts: list[JSONObject]
    grants: list[JSONObject]
    inventory: list[JSONObject]
    wallet: list[JSONObject]
    lobbies: list[JSONObject]


class PlayerExport(_PlayerExportBase, total=False):
    """``players.export``: the GDPR Article 15 bundle (each list capped at 1,000 rows).

    Kraty Local adds the ledgers, the audit trail, the social lists and ``truncated`` (the
    lists that hit the cap).
    """

    walletLedger: list[JSONObject]
    inventoryLedger: list[JSONObject]
    audit: list[JSONObject]
    friends: list[Friend]
    friendRequests: FriendRequests
    blocked: list[BlockedPlayer]
    truncated: list[str]


class BanResult(TypedDict):
    """``players.ban``: ``applied`` is false when the player was already banned."""

    playerId: str
    externalPlayerId: str
    bannedAt: str
    reason: str
    applied: bool


class UnbanResult(TypedDict):
    """``players.unban``: ``applied`` is false when the player was not banned."""

    playerId: str
    externalPlayerId: str
    unbannedAt: str
    applied: bool


class MergeCounts(TypedDict):
    """What a merge moved."""

    attemptsReassigned: int
    grantsReassigned: int
    itemsMerged: int
    itemLedgerRowsMoved: int
    walletsMerged: int
    walletLedgerRowsMoved: int
    lobbiesTouched: int
    leaderboardsScrubbed: int


class MergeResult(TypedDict):
    """``players.merge``: the source player folded into the target."""

    fromPlayerId: str
    fromExternalPlayerId: str
    toPlayerId: str
    toExternalPlayerId: str
    anonymizedExternalPlayerId: str | None
    counts: MergeCounts
    mergedAt: str
    status: Literal["merged", "no_op_already_merged"]


class _SyntheticIdentityBase(TypedDict):
    name: str


class SyntheticIdentity(_SyntheticIdentityBase, total=False):
    """A name and optional avatar (the identity ``set_identity`` stores; no avatar, no key)."""

    avatar: str


class _PlayerIdentityBase(TypedDict):
    name: str


class PlayerIdentity(_PlayerIdentityBase, total=False):
    """A player's public identity: display name, optional avatar and ISO-3166 country."""

    avatar: str | None
    country: str | None


class _IdentityResultBase(TypedDict):
    externalPlayerId: str
    syntheticIdentity: SyntheticIdentity


class IdentityResult(_IdentityResultBase, total=False):
    """``players.set_identity``: the stored identity, and (newer servers) both identity views.

    ``displayIdentity`` is what others see (the identity set here, with the player's country);
    ``anonymizedIdentity`` is the immutable privacy-preserving one.
    """

    displayIdentity: PlayerIdentity | None
    anonymizedIdentity: PlayerIdentity | None


class Friend(TypedDict):
    """One friend of a player, with identity and presence (``online`` false without heartbeats)."""

    externalPlayerId: str
    displayIdentity: PlayerIdentity | None
    friendsSince: str
    online: bool
    lastActiveAt: str | None
    status: str | None


class FriendRequestPlayer(TypedDict):
    """The other player of a friend request."""

    externalPlayerId: str
    displayIdentity: PlayerIdentity | None


class FriendRequest(TypedDict):
    """A pending friend request, seen from one side."""

    requestId: str
    direction: Literal["incoming", "outgoing"]
    player: FriendRequestPlayer
    createdAt: str


class FriendRequests(TypedDict):
    """``players.friend_requests``."""

    incoming: list[FriendRequest]
    outgoing: list[FriendRequest]


class BlockedPlayer(TypedDict):
    """A player this player has blocked."""

    externalPlayerId: str
    displayIdentity: PlayerIdentity | None
    blockedAt: str


class MigrationFailureError(TypedDict):
    """Why one migration row failed."""

    code: str
    message: str


class _MigrationFailureBase(TypedDict):
    rowIndex: int
    error: MigrationFailureError


class MigrationFailure(_MigrationFailureBase, total=False):
    """One failed migration row.

    ``rowIndex`` is its position in the batch (in the whole input for ``migrate.*_all``).
    ``batchRange`` (``[start, end)``, ``*_all`` only) marks a row of a batch that failed as a
    whole after every retry.
    """

    externalPlayerId: str
    batchRange: list[int]


class MigrationOutcome(TypedDict):
    """The outcome of a migration batch: ``applied + skipped + failed`` = rows sent."""

    applied: int
    skipped: int
    failed: int
    failures: list[MigrationFailure]


class ScoreResult(TypedDict):
    """``leaderboards.submit_score``."""

    leaderboardId: str
    score: int | float
    rank: int | None


AttemptStatus = Literal["in_progress", "completed", "expired", "force_completed"]


class Attempt(TypedDict):
    """A player's attempt at an event window."""

    id: str
    eventId: str
    eventWindowId: str
    leaderboardId: str
    playerId: str
    startedAt: str
    endsAt: str
    completedAt: str | None
    metrics: dict[str, int | float]
    metricsRaw: dict[str, int | float]
    score: int | float
    status: AttemptStatus


class MilestoneFired(TypedDict):
    """A milestone reached by a progress report, with the grants it made."""

    key: str
    grants: list[Grant]


class ProgressResult(TypedDict):
    """``events.report_progress``."""

    attempt: Attempt
    milestonesFired: list[MilestoneFired]


class FinishResult(TypedDict):
    """``events.finish``."""

    attempt: Attempt
    outcome: Literal["completed", "expired"]


class PingKey(TypedDict):
    """The API key as ``ping`` describes it (never the secret)."""

    id: str
    prefix: str
    permissionSet: str
    environment: str  # "live" | "test" (other values may come)
    studioId: str
    gameId: str | None


class Ping(TypedDict):
    """``health.ping``."""

    ok: bool
    apiKey: PingKey
