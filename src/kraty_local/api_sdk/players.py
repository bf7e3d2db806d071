"""``POST /sdk/v1/players/{p}/register``: the one player route that needs no secret."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kraty_local.api.deps import PlayerCall
from kraty_local.api.models import Envelope
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.api.strings import PlayerIdPath
from kraty_local.api_sdk.models import RegisterIn
from kraty_local.api_sdk.wire import PlayerRegistration
from kraty_local.domain.errors import Forbidden
from kraty_local.services import registration

router = APIRouter(tags=["sdk: players"])


@router.post(
    f"{PLAYER_PATH}/register", response_model=Envelope[PlayerRegistration], status_code=201
)
def register(
    player_id: PlayerIdPath,
    body: RegisterIn,
    call: PlayerCall,
    force: Annotated[bool, Query(description="Rotate the secret (non-live keys only).")] = False,
) -> Envelope[Any]:
    """Create the player if missing and mint its secret, shown only in this answer; ``201``.

    Again: ``409 player_already_registered``; ``force=true`` replaces the secret (``403
    forbidden`` on a ``live`` key). The idempotency key is validated but never replayed.
    """
    if force and call.principal.environment == "live":
        raise Forbidden("register?force=true is honoured on non-live keys only.")
    return Envelope(data=call.write(lambda ctx: registration.register(ctx, player_id, force=force)))
