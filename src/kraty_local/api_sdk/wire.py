"""Response shapes of ``/sdk/v1``, as the public TypeScript client SDK's ``types.ts`` has them."""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import NotRequired, TypedDict

from kraty_local.wire import Attempt, Grant
from kraty_local.wire_players import (
    BlockedPlayer,
    Friend,
    FriendRequest,
    InventoryHolding,
    PlayerIdentity,
    SyntheticIdentity,
    WalletHolding,
)


class PlayerRegistration(TypedDict):
    """``POST /players/{p}/register``: the secret, shown this once."""

    playerId: str
    externalPlayerId: str
    secret: str
    secretPrefix: str
    registeredAt: str | None
    country: str | None
    syntheticIdentity: SyntheticIdentity | None
    displayIdentity: PlayerIdentity | None
    anonymizedIdentity: PlayerIdentity | None


class OpenCrateResult(TypedDict):
    """``POST /players/{p}/crates/{g}/open``: the crate, claimed, and the grant it rolled."""

    crate: Grant
    contents: Grant


class WalletList(TypedDict):
    """``GET /players/{p}/wallet``."""

    wallet: list[WalletHolding]


class InventoryList(TypedDict):
    """``GET /players/{p}/inventory``."""

    items: list[InventoryHolding]


class StartedAttempt(TypedDict):
    """``POST /players/{p}/events/{e}/start``."""

    attempt: Attempt
    leaderboardId: str
    windowEndsAt: str


class MilestoneRewardPreview(TypedDict):
    """One milestone of an event: reaching ``threshold`` on ``metricKey`` pays ``entries``."""

    key: str
    metricKey: str
    threshold: int | float  # an integral threshold stays an integer
    entries: list[dict[str, Any]]  # grant entries, as the world gives them


class EventListing(TypedDict):
    """One event of ``GET /players/{p}/events``."""

    eventKey: str
    name: str
    windowId: str
    startsAt: str
    endsAt: str
    leaderboardId: str | None
    currentAttemptId: str | None
    leaderboardMode: NotRequired[str]
    milestoneRewards: NotRequired[list[MilestoneRewardPreview]]


class OwnIdentity(TypedDict):
    """``GET /players/{p}/identity``."""

    displayIdentity: PlayerIdentity | None
    anonymizedIdentity: PlayerIdentity | None


class IdentitySet(OwnIdentity):
    """``PUT /players/{p}/identity``."""

    externalPlayerId: str


class Presence(TypedDict):
    """``POST /players/{p}/presence``."""

    online: bool
    lastActiveAt: str | None
    status: str | None


class FriendCode(TypedDict):
    """``GET /players/{p}/friend-code``."""

    friendCode: str
    displayIdentity: PlayerIdentity | None


class FriendRequestSent(TypedDict):
    """``POST /players/{p}/friends/requests``: a pending request, or the friend at once."""

    status: Literal["pending", "accepted"]
    request: NotRequired[FriendRequest]
    friend: NotRequired[Friend]


class FriendAccepted(TypedDict):
    """``POST /players/{p}/friends/requests/{id}/accept``."""

    friend: Friend


class SearchResult(TypedDict):
    """One player a friend search found."""

    externalPlayerId: str
    displayIdentity: PlayerIdentity | None
    relationship: Literal["none", "friends", "request_incoming", "request_outgoing"]


class SearchResults(TypedDict):
    """``GET /players/{p}/friends/search``."""

    results: list[SearchResult]


class BlockMade(TypedDict):
    """``POST /players/{p}/blocks``."""

    blocked: BlockedPlayer


class LeaderboardEntry(TypedDict):
    """One ranked player of ``GET /leaderboards/{key}``."""

    participantId: str
    kind: Literal["player", "bot"]
    name: str | None
    avatar: str | None
    country: str | None
    anonymizedName: str | None
    anonymizedAvatar: str | None
    score: int | float  # an integral score stays an integer
    rank: int
    isSelf: bool


class SelfStanding(TypedDict):
    """The caller's own rank and score."""

    rank: int
    score: int | float  # an integral score stays an integer


class Leaderboard(TypedDict):
    """``GET /leaderboards/{key}``."""

    key: str
    leaderboardId: str
    scope: Literal["game", "studio"]
    resetCadence: Literal["never", "weekly", "monthly"]
    scoreAggregation: Literal["best", "latest", "sum"]
    segment: str | None
    period: str
    entries: list[LeaderboardEntry]
    self: SelfStanding | None


class EventLeaderboard(TypedDict):
    """``GET /event-leaderboards/{leaderboardId}``."""

    leaderboardId: str
    mode: str
    finalized: bool
    entries: list[LeaderboardEntry]
    self: SelfStanding | None
