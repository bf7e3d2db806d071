"""``GET /sdk/v1/leaderboards/{key}`` and ``GET /sdk/v1/event-leaderboards/{leaderboardId}``:
boards as the game shows them (key auth only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from kraty_local.api.deps import PlayerCall
from kraty_local.api.models import Envelope, Timestamp
from kraty_local.api.strings import ExternalPlayerId, Key, KeyPath
from kraty_local.api_sdk.wire import EventLeaderboard, Leaderboard
from kraty_local.domain.errors import Invalid
from kraty_local.services import boards, event_boards

router = APIRouter(tags=["sdk: leaderboards"])

_Limit = Annotated[int, Query(ge=1, le=boards.MAX_LIMIT)]
_IncludeSelf = Annotated[bool, Query()]
_SelfId = Annotated[ExternalPlayerId | None, Query()]
#: The client SDK's ``progression=level,trophies``: economy keys whose balances it would attach
#: to each entry.
_Progression = Annotated[
    str | None, Query(description="Comma-separated progression keys (no effect here).")
]


#: The client SDK's ``period``: ``current``, or a time whose period to read (a past period's
#: ``period`` start, for one).
_Period = Annotated[
    Literal["current"] | Timestamp | None,
    Query(description="`current` (default) or an ISO time: the period containing it."),
]


@router.get("/leaderboards/{board_key:segment}", response_model=Envelope[Leaderboard])
def read(
    board_key: KeyPath,
    call: PlayerCall,
    limit: _Limit = boards.DEFAULT_LIMIT,
    segment: Annotated[Key | None, Query()] = None,
    period: _Period = None,
    includeSelf: _IncludeSelf = False,  # the wire's camelCase names
    externalId: _SelfId = None,
) -> Envelope[Any]:
    """The board's top entries in the current period (or the one containing ``period``), and
    with ``includeSelf=true&externalId=`` the caller's own ``self: {rank, score}`` (``null``
    without a score)."""
    own = _self_id(includeSelf, externalId)
    at = None if period is None or period == "current" else period
    return Envelope(
        data=call.read(
            lambda ctx: boards.read(
                ctx, board_key, limit=limit, segment=segment, self_external_id=own, at=at
            )
        )
    )


@router.get(
    "/event-leaderboards/{leaderboard_id:segment}", response_model=Envelope[EventLeaderboard]
)
def read_event_board(
    leaderboard_id: KeyPath,
    call: PlayerCall,
    limit: _Limit = boards.DEFAULT_LIMIT,
    progression: _Progression = None,
    includeSelf: _IncludeSelf = False,
    externalId: _SelfId = None,
) -> Envelope[Any]:
    """One event window's or lobby's board (``event:<key>:<windowId>`` or ``lobby:<id>``, as
    attempts carry it): each player's best attempt score, ranked; ``404 not_found`` for an
    unknown board. ``progression`` has no effect (Kraty Local has no progression resources)."""
    del progression  # accepted because the client SDK may send it
    own = _self_id(includeSelf, externalId)
    return Envelope(
        data=call.read(
            lambda ctx: event_boards.read(ctx, leaderboard_id, limit=limit, self_external_id=own)
        )
    )


def _self_id(include_self: bool, external_id: str | None) -> str | None:
    """Whose standing ``self`` reports: ``includeSelf`` needs ``externalId`` (400)."""
    if include_self and external_id is None:
        raise Invalid(
            "includeSelf needs externalId.",
            [{"field": "externalId", "message": "required when includeSelf is true"}],
        )
    return external_id if include_self else None
