"""Grant routes."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kraty_local.api.deps import PlayerCall
from kraty_local.api.models import Envelope, GrantAckIn, GrantCreateIn
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.api.strings import PlayerIdPath, RowIdPath
from kraty_local.services import grants
from kraty_local.wire import Grant

router = APIRouter(tags=["grants"])
_PATH = PLAYER_PATH + "/grants"


@router.post(_PATH, response_model=Envelope[Grant], status_code=201)
def create(
    player_id: PlayerIdPath, body: GrantCreateIn, call: PlayerCall, response: Response
) -> Envelope[Grant]:
    """Create a pending grant (currencies, items, crates); ``201``."""
    entries = [entry.model_dump(mode="json", exclude_none=True) for entry in body.entries]
    grant = call.idempotent(
        body,
        lambda ctx: grants.create(
            ctx,
            player_id,
            entries=entries,
            kind=body.kind,
            expires_at=body.expiresAt,
            source_kind=body.sourceKind,
            source_ref_id=body.sourceRefId,
            metadata=body.metadata,
        ),
        response,
        status_code=201,
    )
    return Envelope(data=grant)


@router.post(f"{_PATH}/{{grant_id:segment}}/ack", response_model=Envelope[Grant])
def ack(
    player_id: PlayerIdPath,
    grant_id: RowIdPath,
    body: GrantAckIn,
    call: PlayerCall,
    response: Response,
) -> Envelope[Grant]:
    """Claim a grant server-side (``ackedBy: "server_api"``) and apply it."""
    return Envelope(
        data=call.idempotent(body, lambda ctx: grants.ack(ctx, player_id, grant_id), response)
    )
