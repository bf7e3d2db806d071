"""Raw leaderboard scores (contract section 4, Scoring and events).

A board keeps each player's best score per segment (``""`` when unsegmented): higher is better
on ``desc`` boards, lower on ``asc`` ones. The answer is that kept score and its rank, 1 plus the
number of strictly better scores in the same board and segment (ties share a rank). Kraty Local
always knows the rank, so ``rank`` is never ``null`` here.
"""

from __future__ import annotations

from sqlalchemy import func, select

from kraty_local.domain.errors import NotFound, ScoreNotSupported
from kraty_local.services.context import OpContext
from kraty_local.services.players import ensure_player
from kraty_local.store.queries import insert_ignore
from kraty_local.store.schema import leaderboard_entries as entries
from kraty_local.wire import ScoreResult


def number(value: float) -> int | float:
    """A stored float as the caller sent it: integral values come back as ``int``."""
    return int(value) if value.is_integer() else value


def submit(
    ctx: OpContext, board_key: str, external_player_id: str, value: float, segment: str | None
) -> ScoreResult:
    """Record ``value`` if it beats the player's best; answer the best score and its rank."""
    board = ctx.game.leaderboards.get(board_key)
    if board is None:
        raise NotFound(f"Unknown leaderboard {board_key!r}.", decided=True)
    if not board.takes_scores:
        raise ScoreNotSupported(
            f"Leaderboard {board_key!r} does not take raw scores.",
            {"leaderboardId": board_key},
        )
    player = ensure_player(ctx, external_player_id)
    this_board = [
        entries.c.game_id == ctx.game.id,
        entries.c.leaderboard_key == board_key,
        entries.c.segment == (segment or ""),
    ]
    inserted = insert_ignore(
        ctx.conn,
        entries,
        {
            "studio_id": ctx.game.studio_id,
            "game_id": ctx.game.id,
            "leaderboard_key": board_key,
            "segment": segment or "",
            "player_id": player.id,
            "score": value,
            "created_at": ctx.now,
            "updated_at": ctx.now,
        },
        ["game_id", "leaderboard_key", "segment", "player_id"],
    )
    beats = entries.c.score > value if board.sort_order == "asc" else entries.c.score < value
    if not inserted:
        ctx.conn.execute(
            entries.update()
            .where(*this_board, entries.c.player_id == player.id, beats)
            .values(score=value, updated_at=ctx.now)
        )
    best = ctx.conn.execute(
        select(entries.c.score).where(*this_board, entries.c.player_id == player.id)
    ).scalar_one()
    better = entries.c.score < best if board.sort_order == "asc" else entries.c.score > best
    ahead = ctx.conn.execute(select(func.count()).where(*this_board, better)).scalar_one()
    ctx.audit(
        "leaderboard.score",
        player.id,
        {"leaderboardId": board_key, "segment": segment, "value": value, "best": best},
    )
    return {"leaderboardId": board_key, "score": number(best), "rank": int(ahead) + 1}
