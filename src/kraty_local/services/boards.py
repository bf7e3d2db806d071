"""Leaderboard reads for the game client (``GET /sdk/v1/leaderboards/{key}``, ``types.ts``
``Leaderboard``).

Entries are the board's kept scores (:mod:`kraty_local.services.scoring`) of one period
(:mod:`kraty_local.services.board_rules`): the current one by Kraty Local's clock, or the one
containing the time the client asks for. They come best first, ranked as submissions are: 1
plus the number of strictly better scores (ties share a rank). ``scope``, ``resetCadence`` and
``scoreAggregation`` are the world board's settings, ``period`` the read period's start.
[Local model] ``participantId`` is the internal player id, ``name`` the display name with the
anonymized one as fallback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, Subquery, func, select

from kraty_local.domain.errors import NotFound
from kraty_local.services import board_rules
from kraty_local.services.context import OpContext
from kraty_local.services.identities import anonymized_identity
from kraty_local.services.players import find_player_row
from kraty_local.services.scoring import number
from kraty_local.store.schema import leaderboard_entries as entries
from kraty_local.store.schema import players
from kraty_local.timefmt import iso

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def read(
    ctx: OpContext,
    board_key: str,
    *,
    limit: int,
    segment: str | None,
    self_external_id: str | None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The top ``limit`` entries of one board and segment in the period containing ``at``
    (default: now), and the caller's own standing."""
    board = ctx.game.leaderboards.get(board_key)
    if board is None:
        raise NotFound(f"Unknown leaderboard {board_key!r}.")
    period = board_rules.period_start(board.reset_cadence, at or ctx.now)
    scores = (
        select(entries.c.player_id, entries.c.score, entries.c.id.label("tiebreak"))
        .where(*board_rules.ranked_together(ctx, board, segment, period))
        .subquery()
    )
    ranked, own = rank(
        ctx,
        scores,
        ascending=board.sort_order == "asc",
        limit=limit,
        self_external_id=self_external_id,
    )
    return {
        "key": board_key,
        "leaderboardId": board_key,
        "scope": board.scope,
        "resetCadence": board.reset_cadence,
        "scoreAggregation": board.score_aggregation,
        "segment": segment or "",
        "period": iso(period),
        "entries": ranked,
        "self": own,
    }


def rank(
    ctx: OpContext,
    scores: Subquery,
    *,
    ascending: bool,
    limit: int,
    self_external_id: str | None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The top ``limit`` ``LeaderboardEntry`` rows of ``scores`` (one row per player: its
    ``player_id``, ``score`` and a ``tiebreak`` that orders equal scores) and the standing of
    ``self_external_id`` (``None`` without a score): ties share a rank."""
    rows = ctx.conn.execute(
        select(scores.c.score, players)
        .join(players, players.c.id == scores.c.player_id)
        .order_by(scores.c.score.asc() if ascending else scores.c.score.desc(), scores.c.tiebreak)
        .limit(limit)
    ).all()
    ranked: list[dict[str, Any]] = []
    for position, row in enumerate(rows, 1):
        tied = ranked and ranked[-1]["score"] == number(row.score)
        place = ranked[-1]["rank"] if tied else position
        ranked.append(_entry(row, place, row.external_player_id == self_external_id))
    me = None if self_external_id is None else find_player_row(ctx, self_external_id)
    if me is None:
        return ranked, None
    best = ctx.conn.execute(
        select(scores.c.score).where(scores.c.player_id == me.id)
    ).scalar_one_or_none()
    if best is None:
        return ranked, None
    better = scores.c.score < best if ascending else scores.c.score > best
    ahead = ctx.conn.execute(select(func.count()).select_from(scores).where(better)).scalar_one()
    return ranked, {"rank": int(ahead) + 1, "score": number(best)}


def _entry(row: Row[Any], rank: int, is_self: bool) -> dict[str, Any]:
    anonymized = anonymized_identity(row.id, row.country)
    named = row.synthetic_name is not None
    return {
        "participantId": row.id,
        "kind": "player",
        "name": row.synthetic_name if named else anonymized["name"],
        "avatar": row.synthetic_avatar if named else None,
        "country": row.country,
        "anonymizedName": anonymized["name"],
        "anonymizedAvatar": None,
        "score": number(row.score),
        "rank": rank,
        "isSelf": is_self,
    }
