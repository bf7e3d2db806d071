"""Events from the game: the ones open now, start (the server mints the attempt id), then
progress and finish, which are the server's own routes behind the player's secret and the ban
gate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from kraty_local.api import scoring
from kraty_local.api.models import Envelope
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.api.strings import KeyPath, PlayerIdPath
from kraty_local.api_sdk.deps import WRITE_GATE, PlayerRead, PlayerWrite
from kraty_local.api_sdk.models import StartIn
from kraty_local.api_sdk.wire import EventListing, StartedAttempt
from kraty_local.services import attempts, event_listings
from kraty_local.services.context import OpContext, new_id
from kraty_local.wire import FinishResult, ProgressResult

router = APIRouter(tags=["sdk: events"])
_EVENT = PLAYER_PATH + "/events/{event_key:segment}"
_ATTEMPT = _EVENT + "/attempts/{attempt_id:segment}"


@router.get(f"{PLAYER_PATH}/events", response_model=Envelope[list[EventListing]])
def listing(player_id: PlayerIdPath, call: PlayerRead) -> Envelope[Any]:
    """The events whose current window the player can start now, by key (``data`` is the list
    itself; see :mod:`kraty_local.services.event_listings` for what each field holds)."""
    return Envelope(data=call.read(lambda ctx: event_listings.open_events(ctx, player_id)))


@router.post(f"{_EVENT}/start", response_model=Envelope[StartedAttempt], status_code=201)
def start(
    player_id: PlayerIdPath,
    event_key: KeyPath,
    body: StartIn,
    call: PlayerWrite,
    response: Response,
) -> Envelope[Any]:
    """Start an attempt in the event's open window; ``201 {attempt, leaderboardId,
    windowEndsAt}``."""

    def begin(ctx: OpContext) -> StartedAttempt:
        opened = attempts.progress(
            ctx,
            player_id,
            event_key,
            new_id(),
            mode="increment",
            metric_value=0.0,
            metrics=None,
            occurred_at=None,
        )["attempt"]
        return {
            "attempt": opened,
            "leaderboardId": opened["leaderboardId"],
            "windowEndsAt": opened["endsAt"],
        }

    return Envelope(data=call.idempotent(body, begin, response, status_code=201))


for _verb, _endpoint, _model in (
    ("progress", scoring.progress, ProgressResult),
    ("finish", scoring.finish, FinishResult),
):
    router.add_api_route(
        f"{_ATTEMPT}/{_verb}",
        _endpoint,
        methods=["POST"],
        response_model=Envelope[_model],  # type: ignore[valid-type]
        dependencies=[WRITE_GATE],
        name=f"sdk_{_verb}",
        summary=f"{_verb.capitalize()} an attempt, as on /server/v1.",
    )
