"""``kraty.migrate``: bulk import of players, wallet balances and inventory (1,000 rows a call)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from kraty_admin._core import Call, path
from kraty_admin._resources._endpoint import Resource, endpoint
from kraty_admin.types import (
    MigrateInventoryRow,
    MigratePlayerRow,
    MigrateWalletRow,
    MigrationOutcome,
)

S = TypeVar("S")


def _batch(
    table: str, rows: Sequence[Mapping[str, Any]], idempotency_key: str | None
) -> Call[MigrationOutcome]:
    return Call.post(path("migrate", table), {"rows": [dict(row) for row in rows]}, idempotency_key)


def _players(
    rows: Sequence[MigratePlayerRow | Mapping[str, Any]], *, idempotency_key: str | None = None
) -> Call[MigrationOutcome]:
    """Create or update up to 1,000 players; each row is idempotent on its ``idempotencyKey``."""
    return _batch("players", rows, idempotency_key)


def _wallet(
    rows: Sequence[MigrateWalletRow | Mapping[str, Any]], *, idempotency_key: str | None = None
) -> Call[MigrationOutcome]:
    """Import up to 1,000 wallet credits for existing players; bad rows fail alone."""
    return _batch("wallet", rows, idempotency_key)


def _inventory(
    rows: Sequence[MigrateInventoryRow | Mapping[str, Any]],
    *,
    idempotency_key: str | None = None,
) -> Call[MigrationOutcome]:
    """Import up to 1,000 inventory holdings for existing players; bad rows fail alone."""
    return _batch("inventory", rows, idempotency_key)


class Migrate(Resource[S]):
    """Bulk import in batches of up to 1,000 rows; webhooks are not emitted."""

    players = endpoint(_players)
    wallet = endpoint(_wallet)
    inventory = endpoint(_inventory)
