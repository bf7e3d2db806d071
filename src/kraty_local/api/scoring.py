"""Scoring and event routes: raw leaderboard scores, attempt progress and finish."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kraty_local.api.deps import PlayerCall
from kraty_local.api.models import Envelope
from kraty_local.api.routing import PLAYER_PATH
from kraty_local.api.scoring_models import FinishIn, ProgressIn, ScoreIn
from kraty_local.api.strings import CallerKeyPath, KeyPath, PlayerIdPath
from kraty_local.services import attempts, scoring
from kraty_local.wire import FinishResult, ProgressResult, ScoreResult

router = APIRouter(tags=["scoring and events"])
_ATTEMPT = PLAYER_PATH + "/events/{event_key:segment}/attempts/{attempt_id:segment}"


@router.post("/leaderboards/{board_key:segment}/score", response_model=Envelope[ScoreResult])
def score(
    board_key: KeyPath, body: ScoreIn, call: PlayerCall, response: Response
) -> Envelope[ScoreResult]:
    """Submit a raw score: the board folds it into the player's entry of the current period
    (best, latest or sum, as the world file says) and answers the kept score and its rank."""
    result = call.idempotent(
        body,
        lambda ctx: scoring.submit(ctx, board_key, body.externalPlayerId, body.value, body.segment),
        response,
    )
    return Envelope(data=result)


@router.post(f"{_ATTEMPT}/progress", response_model=Envelope[ProgressResult])
def progress(
    player_id: PlayerIdPath,
    event_key: KeyPath,
    attempt_id: CallerKeyPath,
    body: ProgressIn,
    call: PlayerCall,
    response: Response,
) -> Envelope[ProgressResult]:
    """Report progress on an attempt (created by its first report); fires milestones."""
    result = call.idempotent(
        body,
        lambda ctx: attempts.progress(
            ctx,
            player_id,
            event_key,
            attempt_id,
            mode=body.mode,
            metric_value=body.metricValue,
            metrics=body.metrics,
            occurred_at=body.occurredAt,
        ),
        response,
    )
    return Envelope(data=result)


@router.post(f"{_ATTEMPT}/finish", response_model=Envelope[FinishResult])
def finish(
    player_id: PlayerIdPath,
    event_key: KeyPath,
    attempt_id: CallerKeyPath,
    body: FinishIn,
    call: PlayerCall,
    response: Response,
) -> Envelope[FinishResult]:
    """Finish an attempt: ``completed``, or ``expired`` once the event window has ended."""
    result = call.idempotent(
        body, lambda ctx: attempts.finish(ctx, player_id, event_key, attempt_id), response
    )
    return Envelope(data=result)
