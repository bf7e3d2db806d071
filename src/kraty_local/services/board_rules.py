"""What a world leaderboard's settings mean for its entries: the period a score counts in, and
which entries rank together.

[Local model] Periods are UTC: a ``weekly`` board starts one every Monday 00:00, a ``monthly``
board on the 1st at 00:00, and a ``never`` board has a single period starting at the Unix epoch.
A ``game`` board ranks its game's entries; a ``studio`` board ranks the entries of every game
of the studio that declares its key (the world makes them declare it alike).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import ColumnElement

from kraty_local.services.context import OpContext
from kraty_local.store.schema import leaderboard_entries as entries
from kraty_local.world import Leaderboard, ResetCadence

#: The start of a never-reset board's one period.
NEVER_RESET_PERIOD = datetime(1970, 1, 1, tzinfo=timezone.utc)


def period_start(cadence: ResetCadence, now: datetime) -> datetime:
    """The start of the period ``now`` falls in, for a board resetting at ``cadence``."""
    midnight = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if cadence == "weekly":
        return midnight - timedelta(days=midnight.weekday())
    if cadence == "monthly":
        return midnight.replace(day=1)
    return NEVER_RESET_PERIOD


def ranked_together(
    ctx: OpContext, board: Leaderboard, segment: str | None, period: datetime
) -> list[ColumnElement[bool]]:
    """The conditions selecting the entries ``board`` ranks in one segment and period."""
    where = [
        entries.c.leaderboard_key == board.key,
        entries.c.segment == (segment or ""),
        entries.c.period_start == period,
    ]
    if board.scope == "game":
        return [entries.c.game_id == ctx.game.id, *where]
    games = [
        game.id
        for game in ctx.world.games.values()
        if game.studio_id == ctx.game.studio_id and board.key in game.leaderboards
    ]
    return [entries.c.game_id.in_(games), *where]
