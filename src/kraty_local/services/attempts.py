"""Event attempts: progress reports that fire milestones, and finishing (contract sections 4, 9).

An attempt is started by its first progress report: its wire ``id`` is the path's
``attemptId`` (the caller's id, unique per player and event), ``eventId`` the event key and
``eventWindowId`` / ``endsAt`` the event window it started in, as lobbies report them. Its
``leaderboardId`` is that of the player's lobby for this event window when they sit in one
(``lobby:<lobbyId>``), else the window's own board ``event:<eventKey>:<windowId>``. ``set``
replaces the metric value and the named metrics; ``increment`` adds to them. The metric value is
the attempt's ``score``; Kraty Local applies no metric formula, so ``metrics`` and
``metricsRaw`` both hold the named metrics as reported. Each milestone of the event whose
threshold the score reaches fires once per attempt, creating a pending grant of its rewards
(``sourceKind`` ``"event"``, ``sourceRefId`` ``<eventKey>:<attemptId>:<milestone>``). Progress
needs the event window to be open by the clock; ``occurredAt`` (default: now) is recorded as the
time of the latest report (shown in the export). Finishing after ``endsAt`` is ``expired``,
before it ``completed`` (with an ``event.completed`` webhook); ``completedAt`` is when it was
finished either way, and finishing a finished attempt returns it unchanged. Status is
``in_progress`` until then (``force_completed`` is never produced: Kraty Local has no operator
route to force one).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Row, select

from kraty_local.domain.errors import Conflict, NotFound
from kraty_local.services import grants
from kraty_local.services.context import OpContext, new_id
from kraty_local.services.events import require_event, require_open_window
from kraty_local.services.players import PlayerRef, ensure_player, require_player
from kraty_local.services.scoring import number
from kraty_local.store.queries import insert_ignore
from kraty_local.store.schema import attempts, lobbies, lobby_members
from kraty_local.timefmt import iso, iso_or_none
from kraty_local.wire import Attempt, FinishResult, MilestoneFired, ProgressResult
from kraty_local.world import Event


def progress(
    ctx: OpContext,
    external_player_id: str,
    event_key: str,
    attempt_id: str,
    *,
    mode: Literal["set", "increment"],
    metric_value: float | None,
    metrics: Mapping[str, float] | None,
    occurred_at: datetime | None,
) -> ProgressResult:
    """Apply one progress report and fire the milestones it reaches (see module doc)."""
    event = require_event(ctx, event_key)
    require_open_window(ctx, event)
    player = ensure_player(ctx, external_player_id)
    lobby = lobby_of(ctx, player, event)
    insert_ignore(
        ctx.conn,
        attempts,
        {
            "id": new_id(),
            "studio_id": ctx.game.studio_id,
            "game_id": ctx.game.id,
            "player_id": player.id,
            "event_key": event_key,
            "attempt_key": attempt_id,
            "lobby_id": None if lobby is None else lobby.id,
            "event_window_id": event.window.id,
            "leaderboard_id": event_board(event) if lobby is None else lobby.leaderboard_id,
            "ends_at": event.window.end,
            "status": "in_progress",
            "metric_value": 0.0,
            "metrics": {},
            "milestones_fired": [],
            "started_at": ctx.now,
            "created_at": ctx.now,
            "updated_at": ctx.now,
        },
        ["player_id", "event_key", "attempt_key"],
    )
    row = _load(ctx, player, event_key, attempt_id)
    if row.status != "in_progress":
        raise Conflict(
            f"Attempt {attempt_id!r} is already {row.status}.",
            {"attemptId": attempt_id, "status": row.status},
            decided=True,
        )
    value, values = float(row.metric_value), dict(row.metrics or {})
    if mode == "set":
        value = value if metric_value is None else metric_value
        values.update(metrics or {})
    else:
        value += metric_value or 0.0
        for name, delta in (metrics or {}).items():
            values[name] = values.get(name, 0) + delta
    already = list(row.milestones_fired or [])
    reached = [m for m in event.milestones if m.key not in already and value >= m.threshold]
    ctx.conn.execute(
        attempts.update()
        .where(attempts.c.id == row.id)
        .values(
            metric_value=value,
            metrics=values,
            milestones_fired=already + [m.key for m in reached],
            last_progress_at=occurred_at or ctx.now,
            updated_at=ctx.now,
        )
    )
    fired: list[MilestoneFired] = []
    for milestone in reached:
        grant = grants.create(
            ctx,
            external_player_id,
            entries=[dict(entry) for entry in milestone.rewards],
            kind="reward",
            expires_at=None,
            source_kind="event",
            source_ref_id=f"{event_key}:{attempt_id}:{milestone.key}",
            metadata={"eventKey": event_key, "attemptId": attempt_id, "milestone": milestone.key},
        )
        fired.append({"key": milestone.key, "grants": [grant]})
    return {
        "attempt": _view(player, event, _load(ctx, player, event_key, attempt_id)),
        "milestonesFired": fired,
    }


def finish(
    ctx: OpContext, external_player_id: str, event_key: str, attempt_id: str
) -> FinishResult:
    """Finish an attempt: ``completed`` inside the event window, ``expired`` after it."""
    event = require_event(ctx, event_key)
    player = require_player(ctx, external_player_id)
    row = _load(ctx, player, event_key, attempt_id)
    if row.status == "in_progress":
        ends_at = row.ends_at or event.window.end
        outcome: Literal["completed", "expired"] = "expired" if ctx.now >= ends_at else "completed"
        ctx.conn.execute(
            attempts.update()
            .where(attempts.c.id == row.id)
            .values(status=outcome, finished_at=ctx.now, updated_at=ctx.now)
        )
        row = _load(ctx, player, event_key, attempt_id)
        if outcome == "completed":
            ctx.emit(
                "event.completed",
                {
                    "playerId": player.id,
                    "externalPlayerId": player.external_player_id,
                    "eventKey": event_key,
                    "eventWindowId": row.event_window_id or event.window.id,
                    "attempt": _view(player, event, row),
                },
            )
        ctx.audit("event.finish", player.id, {"eventKey": event_key, "attemptId": attempt_id})
    outcome = "expired" if row.status == "expired" else "completed"
    return {"attempt": _view(player, event, row), "outcome": outcome}


def _load(ctx: OpContext, player: PlayerRef, event_key: str, attempt_id: str) -> Row[Any]:
    row = ctx.conn.execute(
        select(attempts)
        .where(
            attempts.c.player_id == player.id,
            attempts.c.event_key == event_key,
            attempts.c.attempt_key == attempt_id,
        )
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"Unknown attempt {attempt_id!r} of {event_key!r}.")
    return row


def lobby_of(ctx: OpContext, player: PlayerRef, event: Event) -> Row[Any] | None:
    """The player's newest lobby of this event window, if they sit in one."""
    return ctx.conn.execute(
        select(lobbies)
        .join(lobby_members, lobby_members.c.lobby_id == lobbies.c.id)
        .where(
            lobbies.c.game_id == ctx.game.id,
            lobbies.c.event_key == event.key,
            lobbies.c.event_window_id == event.window.id,
            lobby_members.c.player_id == player.id,
        )
        .order_by(lobby_members.c.id.desc())
        .limit(1)
    ).first()


def event_board(event: Event) -> str:
    """The board of an event window's attempts outside lobbies."""
    return f"event:{event.key}:{event.window.id}"


def _view(player: PlayerRef, event: Event, row: Row[Any]) -> Attempt:
    # Attempts started before revision 0003 did not record their window: they read as the
    # event's current one.
    metrics = dict(row.metrics or {})
    return {
        "id": row.attempt_key,
        "eventId": row.event_key,
        "eventWindowId": row.event_window_id or event.window.id,
        "leaderboardId": row.leaderboard_id or event_board(event),
        "playerId": player.id,
        "startedAt": iso(row.started_at),
        "endsAt": iso(row.ends_at or event.window.end),
        "completedAt": iso_or_none(row.finished_at),
        "metrics": metrics,
        "metricsRaw": dict(metrics),
        "score": number(float(row.metric_value)),
        "status": row.status,
    }
