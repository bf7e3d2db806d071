"""run-time webhook endpoints expire when no listener keeps them alive

Revision ID: 0004
Revises: '0003'
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_endpoints = sa.table(
    "webhook_endpoints", sa.column("created_at", sa.DateTime), sa.column("expires_at", sa.DateTime)
)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    # Endpoints left behind by an earlier listen have no listener: they expire at the first sweep.
    op.execute(_endpoints.update().values(expires_at=_endpoints.c.created_at))
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index("ix_webhook_endpoints_expires", ["expires_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_endpoints_expires")
        batch_op.drop_column("expires_at")
