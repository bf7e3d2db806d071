"""Raw leaderboard scores (contract section 4, Scoring and events).

A player has one entry per board, segment (``""`` when unsegmented) and period
(:mod:`kraty_local.services.board_rules`). [Local model] The board's ``score_aggregation``
decides what a new score does to it: ``best`` keeps the better one (higher on ``desc`` boards,
lower on ``asc`` ones), ``latest`` replaces it, ``sum`` adds to it. The answer is the kept score
and its rank among the entries the board ranks together, 1 plus the number of strictly better
scores (ties share a rank). Kraty Local always knows the rank, so ``rank`` is never ``null``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Update, func, select

from kraty_local.domain.errors import NotFound, ScoreNotSupported
from kraty_local.services import board_rules
from kraty_local.services.context import OpContext
from kraty_local.services.players import ensure_player
from kraty_local.store.queries import insert_ignore
from kraty_local.store.schema import leaderboard_entries as entries
from kraty_local.wire import ScoreResult
from kraty_local.world import Leaderboard

_ENTRY_KEY = ["game_id", "leaderboard_key", "segment", "period_start", "player_id"]


def number(value: float) -> int | float:
    """A stored float as the caller sent it: integral values come back as ``int``."""
    return int(value) if value.is_integer() else value


def submit(
    ctx: OpContext, board_key: str, external_player_id: str, value: float, segment: str | None
) -> ScoreResult:
    """Fold ``value`` into the player's entry of the current period; answer the kept score and
    its rank."""
    board = ctx.game.leaderboards.get(board_key)
    if board is None:
        raise NotFound(f"Unknown leaderboard {board_key!r}.", decided=True)
    if not board.takes_scores:
        raise ScoreNotSupported(
            f"Leaderboard {board_key!r} does not take raw scores.",
            {"leaderboardId": board_key},
        )
    player = ensure_player(ctx, external_player_id)
    period = board_rules.period_start(board.reset_cadence, ctx.now)
    entry = {
        "game_id": ctx.game.id,
        "leaderboard_key": board_key,
        "segment": segment or "",
        "period_start": period,
        "player_id": player.id,
    }
    inserted = insert_ignore(
        ctx.conn,
        entries,
        {
            **entry,
            "studio_id": ctx.game.studio_id,
            "score": value,
            "created_at": ctx.now,
            "updated_at": ctx.now,
        },
        _ENTRY_KEY,
    )
    mine = [entries.c[column] == entry[column] for column in _ENTRY_KEY]
    if not inserted:
        ctx.conn.execute(_fold(board, value).where(*mine).values(updated_at=ctx.now))
    kept = ctx.conn.execute(select(entries.c.score).where(*mine)).scalar_one()
    better = entries.c.score < kept if board.sort_order == "asc" else entries.c.score > kept
    together = board_rules.ranked_together(ctx, board, segment, period)
    ahead = ctx.conn.execute(select(func.count()).where(*together, better)).scalar_one()
    ctx.audit(
        "leaderboard.score",
        player.id,
        {"leaderboardId": board_key, "segment": segment, "value": value, "kept": kept},
    )
    return {"leaderboardId": board_key, "score": number(kept), "rank": int(ahead) + 1}


def _fold(board: Leaderboard, value: float) -> Update:
    """The update folding ``value`` into an existing entry, per the board's aggregation."""
    if board.score_aggregation == "sum":
        return entries.update().values(score=entries.c.score + value)
    if board.score_aggregation == "latest":
        return entries.update().values(score=value)
    beats: ColumnElement[bool] = (
        entries.c.score > value if board.sort_order == "asc" else entries.c.score < value
    )
    return entries.update().where(beats).values(score=value)
