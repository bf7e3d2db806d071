"""Response shapes on the wire, shared by services (return types) and routes (OpenAPI models)."""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import NotRequired, TypedDict

GrantStatus = Literal["pending", "claimed", "expired"]


class WalletChange(TypedDict):
    """Answer of wallet credit/debit."""

    economyKey: str
    balance: int
    applied: bool


class InventoryChange(TypedDict):
    """Answer of inventory grant/revoke."""

    itemKey: str
    quantity: int
    applied: bool


class Grant(TypedDict):
    """A grant (inbox item) as the contract shows it, plus Kraty Local's metadata/ackedBy."""

    id: str
    kind: str
    contents: dict[str, Any]
    sourceKind: str
    sourceRefId: str | None
    parentGrantId: str | None
    status: GrantStatus
    rolledAt: str | None
    claimedAt: str | None
    expiresAt: str | None
    createdAt: str
    metadata: dict[str, Any] | None
    ackedBy: str | None


class PingKey(TypedDict):
    """The calling key as ``ping`` describes it."""

    id: str
    prefix: str
    permissionSet: str
    environment: str
    studioId: str
    gameId: str | None


class Ping(TypedDict):
    """Answer of ``GET /ping`` (not enveloped)."""

    ok: bool
    apiKey: PingKey


class ErrorBody(TypedDict):
    """The inside of an error envelope."""

    code: str
    message: str
    details: Any


class ErrorEnvelope(TypedDict):
    """Every non-2xx body."""

    error: ErrorBody


LobbyStatus = Literal["forming", "active", "closed"]


class Lobby(TypedDict):
    """A lobby pushed by a studio's own matchmaker (``POST .../lobbies``)."""

    id: str
    eventId: str
    eventWindowId: str
    leaderboardId: str
    mode: str
    status: LobbyStatus
    capacity: int
    fillBy: str | None
    participantCount: int
    botSlots: int
    startedAt: str | None
    endsAt: str | None


class LobbyParticipant(TypedDict):
    """A player seated in a lobby."""

    externalPlayerId: str


class LobbyView(Lobby):
    """A lobby as ``GET /games/{gameId}/lobbies/{lobbyId}`` shows it: with its participants."""

    participants: list[LobbyParticipant]


class MigrationFailureError(TypedDict):
    """Why one migration row failed."""

    code: str
    message: str


class MigrationFailure(TypedDict):
    """One failed migration row; ``externalPlayerId`` when the row named one."""

    rowIndex: int
    externalPlayerId: NotRequired[str]
    error: MigrationFailureError


class MigrationOutcome(TypedDict):
    """Answer of a migration batch: ``applied + skipped + failed`` = rows sent."""

    applied: int
    skipped: int
    failed: int
    failures: list[MigrationFailure]


class ScoreResult(TypedDict):
    """Answer of ``POST /leaderboards/{key}/score``: the player's kept (best) score and rank."""

    leaderboardId: str
    score: int | float
    rank: int | None


AttemptStatus = Literal["active", "completed", "expired"]


class Attempt(TypedDict):
    """A player's attempt at an event."""

    id: str
    attemptId: str
    eventKey: str
    externalPlayerId: str
    status: AttemptStatus
    metricValue: int | float
    metrics: dict[str, int | float]
    milestonesFired: list[str]
    startedAt: str
    lastProgressAt: str | None
    finishedAt: str | None


class MilestoneFired(TypedDict):
    """A milestone reached by a progress report, with the grant it created."""

    key: str
    grants: list[Grant]


class ProgressResult(TypedDict):
    """Answer of ``POST .../attempts/{attemptId}/progress``."""

    attempt: Attempt
    milestonesFired: list[MilestoneFired]


class FinishResult(TypedDict):
    """Answer of ``POST .../attempts/{attemptId}/finish``."""

    attempt: Attempt
    outcome: Literal["completed", "expired"]
