"""``kraty.events``: report progress on event attempts and finish them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from kraty_admin._core import Call, compact, path
from kraty_admin._resources._endpoint import Resource, endpoint

if TYPE_CHECKING:
    from kraty_admin.types import FinishResult, ProgressResult

S = TypeVar("S")


def _report_progress(
    external_player_id: str,
    event_key: str,
    attempt_id: str,
    mode: Literal["set", "increment"],
    *,
    metric_value: int | float | None = None,
    metrics: Mapping[str, Any] | None = None,
    occurred_at: datetime | str | None = None,
    idempotency_key: str | None = None,
) -> Call[ProgressResult]:
    """Report progress on an attempt (``set`` or ``increment``); returns fired milestones."""
    body = compact(
        mode=mode,
        metricValue=metric_value,
        metrics=dict(metrics) if metrics is not None else None,
        occurredAt=occurred_at,
    )
    route = path("players", external_player_id, "events", event_key, "attempts", attempt_id)
    return Call.post(route + "/progress", body, idempotency_key)


def _finish(
    external_player_id: str,
    event_key: str,
    attempt_id: str,
    *,
    idempotency_key: str | None = None,
) -> Call[FinishResult]:
    """Finish an attempt; ``outcome`` is ``completed`` or ``expired``."""
    route = path("players", external_player_id, "events", event_key, "attempts", attempt_id)
    return Call.post(route + "/finish", None, idempotency_key)


class Events(Resource[S]):
    """Events: ``report_progress`` (alias ``progress``) and ``finish``."""

    report_progress = endpoint(_report_progress)
    progress = report_progress
    finish = endpoint(_finish)
