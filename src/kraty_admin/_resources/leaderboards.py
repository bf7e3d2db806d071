"""``kraty.leaderboards``: submit raw scores."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from kraty_admin._core import Call, compact, path
from kraty_admin._resources._endpoint import Resource, endpoint

if TYPE_CHECKING:
    from kraty_admin.types import ScoreResult

S = TypeVar("S")


def _submit_score(
    external_player_id: str,
    key: str,
    value: int | float,
    *,
    segment: str | None = None,
    idempotency_key: str | None = None,
) -> Call[ScoreResult]:
    """Submit a player's score on board ``key``; 400 ``score_not_supported`` if it takes none."""
    body = compact(externalPlayerId=external_player_id, value=value, segment=segment)
    return Call.post(path("leaderboards", key, "score"), body, idempotency_key)


class Leaderboards(Resource[S]):
    """Leaderboards: ``submit_score``."""

    submit_score = endpoint(_submit_score)
