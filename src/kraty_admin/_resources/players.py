"""``kraty.players``: snapshots, GDPR erasure and export, bans, merges and social lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeVar

from kraty_admin._core import Call, compact, path
from kraty_admin._resources._endpoint import Resource, endpoint

if TYPE_CHECKING:
    from kraty_admin.types import (
        BanResult,
        BlockedPlayer,
        Friend,
        FriendRequests,
        IdentityResult,
        MergeResult,
        PlayerDeletion,
        PlayerExport,
        PlayerSnapshot,
        UnbanResult,
    )

S = TypeVar("S")
DeletionReason = Literal["gdpr_erasure", "studio_request", "test"]


def _get(external_player_id: str) -> Call[PlayerSnapshot]:
    """The unified snapshot: player, inventory, wallet and recent grants."""
    return Call.get(path("players", external_player_id))


def _delete(
    external_player_id: str,
    reason: DeletionReason = "gdpr_erasure",
    *,
    idempotency_key: str | None = None,
) -> Call[PlayerDeletion]:
    """Erase a player (GDPR Article 17); ``status`` says whether anything was there to erase."""
    return Call.post(
        path("players", external_player_id, "delete"), compact(reason=reason), idempotency_key
    )


def _export(external_player_id: str) -> Call[PlayerExport]:
    """Everything held about a player (GDPR Article 15); each list capped at 1,000 rows."""
    return Call.get(path("players", external_player_id, "export"))


def _ban(
    external_player_id: str, *, reason: str, idempotency_key: str | None = None
) -> Call[BanResult]:
    """Soft-ban a player; idempotent (a re-ban refreshes the reason, ``applied`` false)."""
    route = path("players", external_player_id, "ban")
    return Call.post(route, {"reason": reason}, idempotency_key)


def _unban(external_player_id: str, *, idempotency_key: str | None = None) -> Call[UnbanResult]:
    """Lift a ban; idempotent (``applied`` false when the player was not banned)."""
    return Call.post(path("players", external_player_id, "unban"), None, idempotency_key)


def _merge(
    from_external_player_id: str,
    to_external_player_id: str,
    *,
    idempotency_key: str | None = None,
) -> Call[MergeResult]:
    """Fold one player into another: balances and quantities add up, history moves over."""
    route = path("players", from_external_player_id, "merge-into", to_external_player_id)
    return Call.post(route, None, idempotency_key)


def _set_identity(
    external_player_id: str,
    name: str,
    avatar: str | None = None,
    *,
    idempotency_key: str | None = None,
) -> Call[IdentityResult]:
    """Set a registered player's display identity (name and optional avatar); 404 if unknown."""
    body = compact(name=name, avatar=avatar)
    return Call.put(path("players", external_player_id, "identity"), body, idempotency_key)


def _friends(external_player_id: str) -> Call[list[Friend]]:
    """The player's friends."""
    return Call.get(path("players", external_player_id, "friends"), pick="friends")


def _friend_requests(external_player_id: str) -> Call[FriendRequests]:
    """The player's pending friend requests, ``incoming`` and ``outgoing``."""
    return Call.get(path("players", external_player_id, "friends", "requests"))


def _blocks(external_player_id: str) -> Call[list[BlockedPlayer]]:
    """The players this player has blocked."""
    return Call.get(path("players", external_player_id, "blocks"), pick="blocked")


class Players(Resource[S]):
    """Players: snapshot, GDPR delete/export, ban/unban, merge, identity and social lists."""

    get = endpoint(_get)
    delete = endpoint(_delete)
    export = endpoint(_export)
    ban = endpoint(_ban)
    unban = endpoint(_unban)
    merge = endpoint(_merge)
    set_identity = endpoint(_set_identity)
    friends = endpoint(_friends)
    friend_requests = endpoint(_friend_requests)
    blocks = endpoint(_blocks)
