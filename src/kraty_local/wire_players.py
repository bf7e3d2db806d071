"""Response shapes of the ``/players/{p}`` routes (snapshot, GDPR, bans, merge, social lists)."""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import TypedDict

from kraty_local.wire import Grant

DeletionReason = Literal["gdpr_erasure", "studio_request", "test"]
DeletionStatus = Literal["erased", "no_op_already_erased", "no_op_never_existed"]
MergeStatus = Literal["merged", "no_op_already_merged"]


class PlayerInfo(TypedDict):
    """The player row as the snapshot shows it."""

    id: str
    externalPlayerId: str
    studioId: str
    gameId: str
    createdAt: str
    updatedAt: str


class InventoryHolding(TypedDict):
    """One item holding in the snapshot."""

    itemKey: str
    quantity: int
    metadata: dict[str, Any] | None
    createdAt: str
    updatedAt: str


class WalletHolding(TypedDict):
    """One currency holding in the snapshot."""

    economyKey: str
    balance: int
    metadata: dict[str, Any] | None
    createdAt: str
    updatedAt: str


class PlayerSnapshot(TypedDict):
    """Answer of ``GET /players/{p}``."""

    player: PlayerInfo
    inventory: list[InventoryHolding]
    wallet: list[WalletHolding]
    recentGrants: list[Grant]


class PlayerDeletion(TypedDict):
    """Answer of ``POST /players/{p}/delete``."""

    playerId: str | None
    externalPlayerId: str
    anonymizedExternalId: str | None
    deletedAt: str | None
    attemptsAnonymized: int
    lobbiesAnonymized: int
    leaderboardsScrubbed: int
    status: DeletionStatus


class SyntheticIdentity(TypedDict):
    """The display identity a studio sets for a player."""

    name: str
    avatar: str | None


class Friend(TypedDict):
    """One friend of a player."""

    playerId: str
    externalPlayerId: str
    since: str


class FriendsList(TypedDict):
    """Answer of ``GET /players/{p}/friends``."""

    friends: list[Friend]


class FriendRequest(TypedDict):
    """One friend request."""

    id: str
    fromExternalPlayerId: str
    toExternalPlayerId: str
    status: str
    createdAt: str
    updatedAt: str


class FriendRequests(TypedDict):
    """Answer of ``GET /players/{p}/friends/requests``: pending requests only."""

    incoming: list[FriendRequest]
    outgoing: list[FriendRequest]


class Block(TypedDict):
    """One player this player has blocked."""

    playerId: str
    externalPlayerId: str
    blockedAt: str


class ExportedPlayer(TypedDict):
    """The player row in an export: the contract's fields plus ban and identity state."""

    id: str
    externalPlayerId: str
    studioId: str
    gameId: str
    firstSeenAt: str | None
    lastSeenAt: str | None
    lastContextSnapshot: Any
    registeredAt: str | None
    secretRotatedAt: str | None
    deletedAt: str | None
    createdAt: str
    updatedAt: str
    bannedAt: str | None
    banReason: str | None
    syntheticIdentity: SyntheticIdentity | None


class PlayerExport(TypedDict):
    """Answer of ``GET /players/{p}/export``: lists capped at 1,000 rows, histories newest first.

    Kraty Local adds the ledgers, the audit trail and the social lists, and ``truncated``, the
    names of the lists that hit the cap.
    """

    schemaVersion: int
    exportedAt: str
    player: ExportedPlayer
    attempts: list[dict[str, Any]]
    grants: list[Grant]
    inventory: list[dict[str, Any]]
    wallet: list[WalletHolding]
    lobbies: list[dict[str, Any]]
    walletLedger: list[dict[str, Any]]
    inventoryLedger: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    friends: list[Friend]
    friendRequests: FriendRequests
    blocks: list[Block]
    truncated: list[str]


class BanResult(TypedDict):
    """Answer of ``POST /players/{p}/ban``."""

    playerId: str
    externalPlayerId: str
    bannedAt: str
    reason: str | None
    applied: bool


class UnbanResult(TypedDict):
    """Answer of ``POST /players/{p}/unban`` (``unbannedAt`` is null when nothing was lifted)."""

    playerId: str
    externalPlayerId: str
    unbannedAt: str | None
    applied: bool


class MergeCounts(TypedDict):
    """What a merge moved (see ``services.merge`` for each count's meaning)."""

    attemptsReassigned: int
    grantsReassigned: int
    itemsMerged: int
    itemLedgerRowsMoved: int
    walletsMerged: int
    walletLedgerRowsMoved: int
    lobbiesTouched: int
    leaderboardsScrubbed: int


class MergeResult(TypedDict):
    """Answer of ``POST /players/{from}/merge-into/{to}``."""

    fromPlayerId: str
    fromExternalPlayerId: str
    toPlayerId: str
    toExternalPlayerId: str
    anonymizedExternalPlayerId: str
    counts: MergeCounts
    mergedAt: str
    status: MergeStatus


class IdentityResult(TypedDict):
    """Answer of ``PUT /players/{p}/identity``."""

    externalPlayerId: str
    syntheticIdentity: SyntheticIdentity


class BlocksList(TypedDict):
    """Answer of ``GET /players/{p}/blocks``."""

    blocks: list[Block]
