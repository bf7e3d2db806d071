"""Event attempts: progress reports that fire milestones, and finishing (contract section 4).

An attempt is created by its first progress report (``attemptId`` is the caller's id, unique
per player and event). ``set`` replaces the metric value and the named ``metrics``;
``increment`` adds to them. Each milestone of the event whose threshold the metric value
reaches fires once per attempt, creating a pending grant of its rewards (``sourceKind``
``"event"``, ``sourceRefId`` ``<eventKey>:<attemptId>:<milestone>``). Progress needs the event
window to be open by the clock; ``occurredAt`` (default: now) is recorded as
``lastProgressAt``. Finishing outside the window is ``expired``, inside it ``completed`` (with an
``event.completed`` webhook); finishing a finished attempt returns it unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Row, select

from kraty_local.errors import ApiError
from kraty_local.services import grants
from kraty_local.services.context import OpContext, new_id
from kraty_local.services.events import require_event, require_open_window
from kraty_local.services.players import PlayerRef, ensure_player, require_player
from kraty_local.services.scoring import number
from kraty_local.store.queries import insert_ignore
from kraty_local.store.schema import attempts
from kraty_local.timefmt import iso, iso_or_none
from kraty_local.wire import Attempt, FinishResult, MilestoneFired, ProgressResult


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
            "status": "active",
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
    if row.status != "active":
        raise ApiError(
            409,
            "conflict",
            f"Attempt {attempt_id!r} is already {row.status}.",
            {"attemptId": attempt_id, "status": row.status},
            storable=True,
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
        "attempt": _view(player, _load(ctx, player, event_key, attempt_id)),
        "milestonesFired": fired,
    }


def finish(
    ctx: OpContext, external_player_id: str, event_key: str, attempt_id: str
) -> FinishResult:
    """Finish an attempt: ``completed`` inside the event window, ``expired`` after it."""
    event = require_event(ctx, event_key)
    player = require_player(ctx, external_player_id)
    row = _load(ctx, player, event_key, attempt_id)
    if row.status == "active":
        outcome: Literal["completed", "expired"] = (
            "expired" if ctx.now >= event.window.end else "completed"
        )
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
                    "eventWindowId": event.window.id,
                    "attempt": _view(player, row),
                },
            )
        ctx.audit("event.finish", player.id, {"eventKey": event_key, "attemptId": attempt_id})
    return {"attempt": _view(player, row), "outcome": row.status}


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
        raise ApiError(404, "not_found", f"Unknown attempt {attempt_id!r} of {event_key!r}.")
    return row


def _view(player: PlayerRef, row: Row[Any]) -> Attempt:
    return {
        "id": row.id,
        "attemptId": row.attempt_key,
        "eventKey": row.event_key,
        "externalPlayerId": player.external_player_id,
        "status": row.status,
        "metricValue": number(float(row.metric_value)),
        "metrics": dict(row.metrics or {}),
        "milestonesFired": list(row.milestones_fired or []),
        "startedAt": iso(row.started_at),
        "lastProgressAt": iso_or_none(row.last_progress_at),
        "finishedAt": iso_or_none(row.finished_at),
    }
