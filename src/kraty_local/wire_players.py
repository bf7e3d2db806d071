"""Response shapes of the ``/players`` routes (the SDK's wire types, re-exported)."""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from kraty_admin.types import (
    BanResult,
    Block,
    ExportedPlayer,
    Friend,
    FriendRequest,
    FriendRequests,
    IdentityResult,
    InventoryHolding,
    MergeCounts,
    MergeResult,
    PlayerDeletion,
    PlayerExport,
    PlayerInfo,
    PlayerSnapshot,
    SyntheticIdentity,
    UnbanResult,
    WalletHolding,
)

__all__ = [
    "BanResult",
    "Block",
    "BlocksList",
    "DeletionReason",
    "DeletionStatus",
    "ExportedPlayer",
    "Friend",
    "FriendRequest",
    "FriendRequests",
    "FriendsList",
    "IdentityResult",
    "InventoryHolding",
    "MergeCounts",
    "MergeResult",
    "MergeStatus",
    "PlayerDeletion",
    "PlayerExport",
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

    blocks: list[Block]
