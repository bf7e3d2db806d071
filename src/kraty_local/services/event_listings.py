"""The events a player can start now, as the game lists them (``GET /sdk/v1/players/{p}/events``,
``types.ts`` ``EventListing``).

[Local model] Listed: every enabled event of the world whose current window is open by the
clock, by key. The world gives events no display name, so ``name`` is the event key;
``leaderboardId`` is the board the player's next attempt would rank on (their lobby's for this
window when they sit in one, else ``event:<eventKey>:<windowId>``); ``currentAttemptId`` is the
player's newest attempt of this window still ``in_progress``. ``leaderboardMode`` is the
world's. ``milestoneRewards`` previews the world's milestones (``[]`` when the event has none):
each fires when the attempt's metric value, which is its ``score``, reaches ``threshold``, so
``metricKey`` is ``"score"``, and ``entries`` are its rewards as the world gives them. The world
has no completion rewards, entry costs, requirements, metric definitions or metadata, so
``rewardPolicy`` and those optional fields are left out (``rewardPolicy: {type: "none"}`` would
say the event has no rewards at all, which its milestones contradict).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kraty_local.services.attempts import event_board, lobby_of
from kraty_local.services.context import OpContext
from kraty_local.services.players import PlayerRef, require_player
from kraty_local.services.scoring import number
from kraty_local.store.schema import attempts
from kraty_local.timefmt import iso
from kraty_local.world import Event, Milestone


def open_events(ctx: OpContext, external_player_id: str) -> list[dict[str, Any]]:
    """The events whose current window the player can start an attempt in now."""
    player = require_player(ctx, external_player_id)
    running = [
        event
        for _, event in sorted(ctx.game.events.items())
        if event.enabled and event.window.start <= ctx.now < event.window.end
    ]
    return [_listing(ctx, player, event) for event in running]


def _listing(ctx: OpContext, player: PlayerRef, event: Event) -> dict[str, Any]:
    lobby = lobby_of(ctx, player, event)
    current = ctx.conn.execute(
        select(attempts.c.attempt_key)
        .where(
            attempts.c.player_id == player.id,
            attempts.c.event_key == event.key,
            attempts.c.event_window_id == event.window.id,
            attempts.c.status == "in_progress",
        )
        .order_by(attempts.c.started_at.desc(), attempts.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return {
        "eventKey": event.key,
        "name": event.key,
        "windowId": event.window.id,
        "startsAt": iso(event.window.start),
        "endsAt": iso(event.window.end),
        "leaderboardId": event_board(event) if lobby is None else lobby.leaderboard_id,
        "currentAttemptId": current,
        "leaderboardMode": event.leaderboard_mode,
        "milestoneRewards": [_milestone_preview(m) for m in event.milestones],
    }


#: What a world milestone's threshold is compared with: the attempt's metric value, its score.
MILESTONE_METRIC = "score"


def _milestone_preview(milestone: Milestone) -> dict[str, Any]:
    return {
        "key": milestone.key,
        "metricKey": MILESTONE_METRIC,
        "threshold": number(float(milestone.threshold)),
        "entries": [dict(reward) for reward in milestone.rewards],
    }
