"""Per-event-window boards as the game reads them (``GET /sdk/v1/event-leaderboards/{id}``,
``types.ts`` ``EventLeaderboard``).

A board id is what attempts carry (:mod:`kraty_local.services.attempts`): ``lobby:<lobbyId>``
or ``event:<eventKey>:<windowId>``. Entries are each player's best attempt score on that board,
high first, ranked as :func:`kraty_local.services.boards.rank` ranks (ties share a rank).
[Local model] A board is known when a lobby of the game has it, or it is the current window's
board of a world event, or attempts of a world event carry it; anything else is ``404
not_found``. ``mode`` is the lobby's or the event's ``leaderboardMode``; ``finalized`` is true
once the window (or the lobby) has ended. Kraty Local has no progression divisions, so
``progression`` is accepted and changes nothing, and entries carry no ``progression`` map.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from kraty_local.domain.errors import NotFound
from kraty_local.services import boards
from kraty_local.services.context import OpContext
from kraty_local.store.schema import attempts, lobbies


def read(
    ctx: OpContext, board_id: str, *, limit: int, self_external_id: str | None
) -> dict[str, Any]:
    """The top ``limit`` players of one event board, and the caller's own standing."""
    mode, ends_at = _board(ctx, board_id)
    scores = (
        select(
            attempts.c.player_id,
            func.max(attempts.c.metric_value).label("score"),
            func.min(attempts.c.id).label("tiebreak"),
        )
        .where(*_on(ctx, board_id))
        .group_by(attempts.c.player_id)
        .subquery()
    )
    ranked, own = boards.rank(
        ctx, scores, ascending=False, limit=limit, self_external_id=self_external_id
    )
    return {
        "leaderboardId": board_id,
        "mode": mode,
        "finalized": ends_at is not None and ctx.now >= ends_at,
        "entries": ranked,
        "self": own,
    }


def _board(ctx: OpContext, board_id: str) -> tuple[str, datetime | None]:
    """The board's mode and when it ends (``None``: not known yet), or ``404 not_found``."""
    lobby = ctx.conn.execute(
        select(lobbies.c.mode, lobbies.c.ends_at).where(
            lobbies.c.game_id == ctx.game.id, lobbies.c.leaderboard_id == board_id
        )
    ).first()
    if lobby is not None:
        return str(lobby.mode), lobby.ends_at
    kind, _, rest = board_id.partition(":")
    event_key, _, window_id = rest.partition(":")
    event = ctx.game.events.get(event_key) if kind == "event" else None
    if event is not None and window_id == event.window.id:
        return event.leaderboard_mode, event.window.end
    if event is not None:
        ended = ctx.conn.execute(
            select(func.max(attempts.c.ends_at)).where(*_on(ctx, board_id))
        ).scalar_one_or_none()
        if ended is not None:
            return event.leaderboard_mode, ended
    raise NotFound(f"Unknown event leaderboard {board_id!r}.")


def _on(ctx: OpContext, board_id: str) -> list[ColumnElement[bool]]:
    return [attempts.c.game_id == ctx.game.id, attempts.c.leaderboard_id == board_id]
