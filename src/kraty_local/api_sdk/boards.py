"""``GET /sdk/v1/leaderboards/{key}``: a board as the game shows it (key auth only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kraty_local.api.deps import PlayerCall
from kraty_local.api.models import Envelope
from kraty_local.api.strings import ExternalPlayerId, Key, KeyPath
from kraty_local.api_sdk.wire import Leaderboard
from kraty_local.domain.errors import Invalid
from kraty_local.services import boards

router = APIRouter(tags=["sdk: leaderboards"])


@router.get("/leaderboards/{board_key:segment}", response_model=Envelope[Leaderboard])
def read(
    board_key: KeyPath,
    call: PlayerCall,
    limit: Annotated[int, Query(ge=1, le=boards.MAX_LIMIT)] = boards.DEFAULT_LIMIT,
    segment: Annotated[Key | None, Query()] = None,
    includeSelf: Annotated[bool, Query()] = False,  # the wire's camelCase names
    externalId: Annotated[ExternalPlayerId | None, Query()] = None,
) -> Envelope[Any]:
    """The board's top entries, and with ``includeSelf=true&externalId=`` the caller's own
    ``self: {rank, score}`` (``null`` without a score)."""
    if includeSelf and externalId is None:
        raise Invalid(
            "includeSelf needs externalId.",
            [{"field": "externalId", "message": "required when includeSelf is true"}],
        )
    own = externalId if includeSelf else None
    return Envelope(
        data=call.read(
            lambda ctx: boards.read(
                ctx, board_key, limit=limit, segment=segment, self_external_id=own
            )
        )
    )
