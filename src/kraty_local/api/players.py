"""Player routes: snapshot, GDPR erasure and export, bans, merge, identity, social lists."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kraty_local.api.deps import PlayerCall
from kraty_local.api.models import Envelope, error_responses
from kraty_local.api.player_models import BanIn, DeleteIn, IdentityIn, NoFieldsIn
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.api.strings import PlayerIdPath
from kraty_local.services import erasure, merge, player_admin, player_views
from kraty_local.wire_players import (
    BanResult,
    BlocksList,
    FriendRequests,
    FriendsList,
    IdentityResult,
    MergeResult,
    PlayerDeletion,
    PlayerExport,
    PlayerSnapshot,
    UnbanResult,
)

router = APIRouter(tags=["players"])


@router.get(PLAYER_PATH, response_model=Envelope[PlayerSnapshot])
def get(player_id: PlayerIdPath, call: PlayerCall) -> Envelope[PlayerSnapshot]:
    """The player with holdings and the 20 most recent grants; ``404`` when unknown."""
    return Envelope(data=call.read(lambda ctx: player_views.snapshot(ctx, player_id)))


@router.post(f"{PLAYER_PATH}/delete", response_model=Envelope[PlayerDeletion])
def delete(
    player_id: PlayerIdPath, body: DeleteIn, call: PlayerCall, response: Response
) -> Envelope[PlayerDeletion]:
    """Erase the player (GDPR Article 17); the status says whether there was anything to erase."""
    return Envelope(
        data=call.idempotent(
            body, lambda ctx: erasure.delete(ctx, player_id, body.reason), response
        )
    )


@router.get(f"{PLAYER_PATH}/export", response_model=Envelope[PlayerExport])
def export(player_id: PlayerIdPath, call: PlayerCall) -> Envelope[PlayerExport]:
    """Everything held about the player (GDPR Article 15); lists capped at 1,000 rows."""
    return Envelope(data=call.read(lambda ctx: player_views.export(ctx, player_id)))


@router.post(f"{PLAYER_PATH}/ban", response_model=Envelope[BanResult])
def ban(
    player_id: PlayerIdPath, body: BanIn, call: PlayerCall, response: Response
) -> Envelope[BanResult]:
    """Soft-ban an existing player (``reason`` required); a re-ban refreshes the reason."""
    return Envelope(
        data=call.idempotent(
            body, lambda ctx: player_admin.ban(ctx, player_id, body.reason), response
        )
    )


@router.post(f"{PLAYER_PATH}/unban", response_model=Envelope[UnbanResult])
def unban(
    player_id: PlayerIdPath, body: NoFieldsIn, call: PlayerCall, response: Response
) -> Envelope[UnbanResult]:
    """Lift a ban (``applied: false`` when there was none)."""
    return Envelope(
        data=call.idempotent(body, lambda ctx: player_admin.unban(ctx, player_id), response)
    )


@router.post(
    f"{PLAYER_PATH}/merge-into/{{to_player_id:segment}}",
    response_model=Envelope[MergeResult],
    responses=error_responses(422),
)
def merge_into(
    player_id: PlayerIdPath,
    to_player_id: PlayerIdPath,
    body: NoFieldsIn,
    call: PlayerCall,
    response: Response,
) -> Envelope[MergeResult]:
    """Fold this player into ``to_player_id``; ``422 conflict`` for an invalid pair."""
    return Envelope(
        data=call.idempotent(body, lambda ctx: merge.merge(ctx, player_id, to_player_id), response)
    )


@router.put(f"{PLAYER_PATH}/identity", response_model=Envelope[IdentityResult])
def set_identity(
    player_id: PlayerIdPath, body: IdentityIn, call: PlayerCall, response: Response
) -> Envelope[IdentityResult]:
    """Set an existing player's display name and avatar; ``404`` for an unknown player."""
    return Envelope(
        data=call.idempotent(
            body,
            lambda ctx: player_admin.set_identity(ctx, player_id, body.name, body.avatar),
            response,
        )
    )


@router.get(f"{PLAYER_PATH}/friends", response_model=Envelope[FriendsList])
def friends(player_id: PlayerIdPath, call: PlayerCall) -> Envelope[FriendsList]:
    """The player's friends."""
    return Envelope(data=call.read(lambda ctx: player_views.friends_of(ctx, player_id)))


@router.get(f"{PLAYER_PATH}/friends/requests", response_model=Envelope[FriendRequests])
def friend_requests(player_id: PlayerIdPath, call: PlayerCall) -> Envelope[FriendRequests]:
    """The player's pending friend requests."""
    return Envelope(data=call.read(lambda ctx: player_views.friend_requests_of(ctx, player_id)))


@router.get(f"{PLAYER_PATH}/blocks", response_model=Envelope[BlocksList])
def blocks(player_id: PlayerIdPath, call: PlayerCall) -> Envelope[BlocksList]:
    """The players this player has blocked."""
    return Envelope(data=call.read(lambda ctx: player_views.blocks_of(ctx, player_id)))
