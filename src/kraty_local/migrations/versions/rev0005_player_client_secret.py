"""players keep the SHA-256 of their /sdk/v1 client secret

Revision ID: 0005
Revises: '0004'
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("secret_prefix", sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.drop_column("secret_prefix")
        batch_op.drop_column("secret_sha256")
