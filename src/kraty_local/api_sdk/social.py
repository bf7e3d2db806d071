"""The player's identity, presence, friends and blocks (contract section 10)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from kraty_local.api.models import Envelope
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.api.strings import CallerKey, PlayerIdPath, RowIdPath
from kraty_local.api_sdk.deps import PlayerRead, PlayerRowWrite, PlayerWrite
from kraty_local.api_sdk.models import FriendTargetIn, KeyOnlyIn, OwnIdentityIn, PresenceIn
from kraty_local.api_sdk.wire import (
    BlockMade,
    FriendAccepted,
    FriendCode,
    FriendRequestSent,
    IdentitySet,
    OwnIdentity,
    Presence,
    SearchResults,
)
from kraty_local.services import player_views, presence, social
from kraty_local.wire_players import BlocksList, FriendRequests, FriendsList

router = APIRouter(tags=["sdk: social"])
_REQUESTS = f"{PLAYER_PATH}/friends/requests"
_REQUEST = _REQUESTS + "/{request_id:segment}"


@router.get(f"{PLAYER_PATH}/identity", response_model=Envelope[OwnIdentity])
def get_identity(player_id: PlayerIdPath, call: PlayerRead) -> Envelope[Any]:
    """``{displayIdentity, anonymizedIdentity}``."""
    return Envelope(data=call.read(lambda ctx: presence.own_identity(ctx, player_id)))


@router.put(f"{PLAYER_PATH}/identity", response_model=Envelope[IdentitySet])
def set_identity(
    player_id: PlayerIdPath, body: OwnIdentityIn, call: PlayerRowWrite, response: Response
) -> Envelope[Any]:
    """Set the player's display name and avatar."""
    return Envelope(
        data=call.idempotent(
            body,
            lambda ctx: presence.set_own_identity(ctx, player_id, body.name, body.avatar),
            response,
        )
    )


@router.post(f"{PLAYER_PATH}/presence", response_model=Envelope[Presence])
def heartbeat(
    player_id: PlayerIdPath, body: PresenceIn, call: PlayerRowWrite, response: Response
) -> Envelope[Any]:
    """A presence heartbeat: online for the next 60 s."""
    args = {"status": body.status} if body.changes_status else {}
    return Envelope(
        data=call.idempotent(body, lambda ctx: presence.heartbeat(ctx, player_id, **args), response)
    )


@router.get(f"{PLAYER_PATH}/friend-code", response_model=Envelope[FriendCode])
def friend_code(player_id: PlayerIdPath, call: PlayerRead) -> Envelope[Any]:
    """``{friendCode, displayIdentity}``: six characters, stable."""
    return Envelope(data=call.read(lambda ctx: social.friend_code(ctx, player_id)))


@router.get(f"{PLAYER_PATH}/friends", response_model=Envelope[FriendsList])
def list_friends(player_id: PlayerIdPath, call: PlayerRead) -> Envelope[Any]:
    """``{friends}``, with presence."""
    return Envelope(data=call.read(lambda ctx: player_views.friends_of(ctx, player_id)))


@router.get(f"{PLAYER_PATH}/friends/search", response_model=Envelope[SearchResults])
def search(
    player_id: PlayerIdPath,
    call: PlayerRead,
    q: Annotated[CallerKey, Query()],
    limit: Annotated[int, Query(ge=1, le=social.MAX_SEARCH)] = 20,
) -> Envelope[Any]:
    """``{results}``: players whose id or name starts with ``q``."""
    return Envelope(data=call.read(lambda ctx: social.search(ctx, player_id, q, limit)))


@router.get(_REQUESTS, response_model=Envelope[FriendRequests])
def list_requests(player_id: PlayerIdPath, call: PlayerRead) -> Envelope[Any]:
    """``{incoming, outgoing}`` pending requests."""
    return Envelope(data=call.read(lambda ctx: player_views.friend_requests_of(ctx, player_id)))


@router.post(_REQUESTS, response_model=Envelope[FriendRequestSent], status_code=201)
def send_request(
    player_id: PlayerIdPath, body: FriendTargetIn, call: PlayerWrite, response: Response
) -> Envelope[Any]:
    """``201 {status, request?, friend?}``: accepted at once when the other side had asked."""
    return Envelope(
        data=call.idempotent(
            body,
            lambda ctx: social.send_request(
                ctx, player_id, code=body.friendCode, target_id=body.externalPlayerId
            ),
            response,
            status_code=201,
        )
    )


@router.post(f"{_REQUEST}/accept", response_model=Envelope[FriendAccepted])
def accept(
    player_id: PlayerIdPath,
    request_id: RowIdPath,
    body: KeyOnlyIn,
    call: PlayerWrite,
    response: Response,
) -> Envelope[Any]:
    """``{friend}``: accept an incoming request (your own outgoing one: 403)."""
    return Envelope(
        data=call.idempotent(
            body,
            lambda ctx: social.answer_request(ctx, player_id, request_id, accept=True),
            response,
        )
    )


@router.post(f"{_REQUEST}/decline", response_model=Envelope[dict[str, bool]])
def decline(
    player_id: PlayerIdPath,
    request_id: RowIdPath,
    body: KeyOnlyIn,
    call: PlayerWrite,
    response: Response,
) -> Envelope[Any]:
    """``{declined: true}``."""
    return Envelope(
        data=call.idempotent(
            body,
            lambda ctx: social.answer_request(ctx, player_id, request_id, accept=False),
            response,
        )
    )


@router.delete(_REQUEST, response_model=Envelope[dict[str, bool]])
def cancel(player_id: PlayerIdPath, request_id: RowIdPath, call: PlayerWrite) -> Envelope[Any]:
    """``{cancelled: true}``: withdraw your own pending request."""
    return Envelope(data=call.write(lambda ctx: social.cancel_request(ctx, player_id, request_id)))


@router.delete(
    f"{PLAYER_PATH}/friends/{{friend_id:segment}}", response_model=Envelope[dict[str, bool]]
)
def remove(player_id: PlayerIdPath, friend_id: PlayerIdPath, call: PlayerWrite) -> Envelope[Any]:
    """``{removed}``: end a friendship (``false`` when there was none)."""
    return Envelope(data=call.write(lambda ctx: social.remove_friend(ctx, player_id, friend_id)))


@router.get(f"{PLAYER_PATH}/blocks", response_model=Envelope[BlocksList])
def list_blocks(player_id: PlayerIdPath, call: PlayerRead) -> Envelope[Any]:
    """``{blocked}``."""
    return Envelope(data=call.read(lambda ctx: player_views.blocks_of(ctx, player_id)))


@router.post(f"{PLAYER_PATH}/blocks", response_model=Envelope[BlockMade], status_code=201)
def block(
    player_id: PlayerIdPath, body: FriendTargetIn, call: PlayerWrite, response: Response
) -> Envelope[Any]:
    """``201 {blocked}``: any friendship or request between the two goes."""
    return Envelope(
        data=call.idempotent(
            body,
            lambda ctx: social.block(
                ctx, player_id, code=body.friendCode, target_id=body.externalPlayerId
            ),
            response,
            status_code=201,
        )
    )


@router.delete(
    f"{PLAYER_PATH}/blocks/{{blocked_id:segment}}", response_model=Envelope[dict[str, bool]]
)
def unblock(player_id: PlayerIdPath, blocked_id: PlayerIdPath, call: PlayerWrite) -> Envelope[Any]:
    """``{unblocked}`` (``false`` when there was no block)."""
    return Envelope(data=call.write(lambda ctx: social.unblock(ctx, player_id, blocked_id)))
