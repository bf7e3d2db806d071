"""Request bodies of leaderboard scores and event attempts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict, model_validator

from kraty_local.api.models import IdempotentBody, Timestamp
from kraty_local.api.strings import ExternalPlayerId, Key

#: Largest magnitude a score or metric may have: every integer up to it is exact in a double.
MAX_EXACT = 2**53

Number = Annotated[float, Strict(), Field(ge=-MAX_EXACT, le=MAX_EXACT, allow_inf_nan=False)]


class ScoreIn(IdempotentBody):
    """Body of ``POST /leaderboards/{key}/score``."""

    externalPlayerId: ExternalPlayerId
    value: Number
    segment: Key | None = None


class ProgressIn(IdempotentBody):
    """Body of ``POST /players/{p}/events/{eventKey}/attempts/{attemptId}/progress``."""

    mode: Literal["set", "increment"]
    metricValue: Number | None = None
    metrics: Annotated[dict[Key, Number], Field(max_length=100)] | None = None
    occurredAt: Timestamp | None = None

    @model_validator(mode="after")
    def _something_to_report(self) -> ProgressIn:
        if self.metricValue is None and not self.metrics:
            raise ValueError("a progress report needs metricValue or metrics")
        return self


class FinishIn(IdempotentBody):
    """Body of ``POST .../attempts/{attemptId}/finish``."""
