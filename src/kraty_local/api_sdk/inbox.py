"""The player's grants inbox: pending grants, claim, open a crate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from kraty_local.api.models import Envelope
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.api.strings import PlayerIdPath, RowIdPath
from kraty_local.api_sdk.deps import PlayerRead, PlayerWrite
from kraty_local.api_sdk.models import KeyOnlyIn
from kraty_local.api_sdk.wire import OpenCrateResult
from kraty_local.services import grants, inbox
from kraty_local.wire import Grant

router = APIRouter(tags=["sdk: grants"])
_GRANT = "{grant_id:segment}"


@router.get(f"{PLAYER_PATH}/pending-grants", response_model=Envelope[list[Grant]])
def pending(
    player_id: PlayerIdPath,
    call: PlayerRead,
    limit: Annotated[int, Query(ge=1, le=inbox.MAX_PENDING)] = inbox.DEFAULT_PENDING,
) -> Envelope[Any]:
    """The player's pending grants, oldest first (``data`` is the list itself)."""
    return Envelope(data=call.read(lambda ctx: inbox.pending(ctx, player_id, limit)))


@router.post(f"{PLAYER_PATH}/grants/{_GRANT}/claim", response_model=Envelope[Grant])
def claim(
    player_id: PlayerIdPath,
    grant_id: RowIdPath,
    body: KeyOnlyIn,
    call: PlayerWrite,
    response: Response,
) -> Envelope[Any]:
    """Claim a pending grant (``ackedBy: "client_sdk"``); a crate is opened instead (409)."""
    return Envelope(
        data=call.idempotent(
            body,
            lambda ctx: grants.ack(ctx, player_id, grant_id, acked_by=grants.ACKED_BY_CLIENT),
            response,
        )
    )


@router.post(f"{PLAYER_PATH}/crates/{_GRANT}/open", response_model=Envelope[OpenCrateResult])
def open_crate(
    player_id: PlayerIdPath,
    grant_id: RowIdPath,
    body: KeyOnlyIn,
    call: PlayerWrite,
    response: Response,
) -> Envelope[Any]:
    """Open a crate grant: it is claimed, and a pending ``reward`` grant holds what it rolled."""
    return Envelope(
        data=call.idempotent(
            body, lambda ctx: grants.open_crate(ctx, player_id, grant_id), response
        )
    )
