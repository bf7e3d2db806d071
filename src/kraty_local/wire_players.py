"""Response shapes of the ``/players`` routes (the SDK's wire types, re-exported)."""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from kraty_admin.types import (
    BanResult,
    BlockedPlayer,
    ExportedPlayer,
    Friend,
    FriendRequest,
    FriendRequestPlayer,
    FriendRequests,
    IdentityResult,
    InventoryHolding,
    MergeCounts,
    MergeResult,
    PlayerDeletion,
    PlayerExport,
    PlayerIdentity,
    PlayerInfo,
    PlayerSnapshot,
    SyntheticIdentity,
    UnbanResult,
    WalletHolding,
)

__all__ = [
    "BanResult",
    "BlockedPlayer",
    "BlocksList",
    "DeletionReason",
    "DeletionStatus",
    "ExportedPlayer",
    "Friend",
    "FriendRequest",
    "FriendRequestPlayer",
    "FriendRequests",
    "FriendsList",
    "IdentityResult",
    "InventoryHolding",
    "MergeCounts",
    "MergeResult",
    "MergeStatus",
    "PlayerDeletion",
    "PlayerExport",
    "PlayerIdentity",
    "PlayerInfo",
    "PlayerSnapshot",
    "SyntheticIdentity",
    "UnbanResult",
    "WalletHolding",
]

DeletionReason = Literal["gdpr_erasure", "studio_request", "test"]
DeletionStatus = Literal["erased", "no_op_already_erased", "no_op_never_existed"]
MergeStatus = Literal["merged", "no_op_already_merged"]


class FriendsList(TypedDict):
    """``GET /players/{p}/friends``."""

    friends: list[Friend]


class BlocksList(TypedDict):
    """``GET /players/{p}/blocks``."""

    blocked: list[BlockedPlayer]
