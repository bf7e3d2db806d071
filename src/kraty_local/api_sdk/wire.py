"""Response shapes of ``/sdk/v1``, as the public TypeScript client SDK's ``types.ts`` has them."""

from __future__ import annotations

from typing_extensions import TypedDict

from kraty_local.wire import Attempt, Grant
from kraty_local.wire_players import (
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
