"""leaderboard entries are kept per reset period; event boards' lobbies and attempts indexed

Revision ID: 0006
Revises: '0005'
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: The one period of a board that never resets, which every score before this revision was in.
_NEVER = datetime(1970, 1, 1, tzinfo=timezone.utc)
_OLD_KEY = ["game_id", "leaderboard_key", "segment", "player_id"]
_NEW_KEY = ["game_id", "leaderboard_key", "segment", "period_start", "player_id"]
_entries = sa.table("leaderboard_entries", sa.column("period_start", sa.DateTime(timezone=True)))


def _key_and_rank_index(batch_op: BatchOperations, key: list[str]) -> None:
    """Replace the entry's unique key and the rank index (the key without the player, and score)."""
    batch_op.drop_constraint("uq_leaderboard_entries", type_="unique")
    batch_op.create_unique_constraint("uq_leaderboard_entries", key)
    batch_op.drop_index("ix_leaderboard_rank")
    batch_op.create_index("ix_leaderboard_rank", [*key[:-1], "score"], unique=False)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("leaderboard_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_start", sa.DateTime(timezone=True), nullable=True))
    op.execute(_entries.update().values(period_start=_NEVER))
    with op.batch_alter_table("leaderboard_entries", schema=None) as batch_op:
        batch_op.alter_column(
            "period_start", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        _key_and_rank_index(batch_op, _NEW_KEY)
    with op.batch_alter_table("lobbies", schema=None) as batch_op:
        batch_op.create_index("ix_lobbies_board", ["game_id", "leaderboard_id"], unique=False)
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index("ix_attempts_board", ["game_id", "leaderboard_id"], unique=False)


def downgrade() -> None:
    """Revert this revision: only the never-reset period's scores are kept."""
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_attempts_board")
    with op.batch_alter_table("lobbies", schema=None) as batch_op:
        batch_op.drop_index("ix_lobbies_board")
    op.execute(_entries.delete().where(_entries.c.period_start != _NEVER))
    with op.batch_alter_table("leaderboard_entries", schema=None) as batch_op:
        _key_and_rank_index(batch_op, _OLD_KEY)
        batch_op.drop_column("period_start")
