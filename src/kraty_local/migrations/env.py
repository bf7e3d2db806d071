"""Alembic environment: runs the revisions on the connection :func:`alembic_config` carries."""

from __future__ import annotations

from alembic import context

from kraty_local.migrations import render_item
from kraty_local.store.schema import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: later revisions copy tables
    render_item=render_item,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
