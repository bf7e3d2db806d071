"""Bulk import (contract sections 4 and 9, Migration): players, wallet balances, inventory holdings.

Each batch of up to 1,000 rows is one transaction of set-based SQL: one ``IN`` lookup of the
keys already applied and one of the players, batched inserts of keys, players, holdings and
ledger rows, batched updates of the holdings, whatever the number of rows. Rows are idempotent
on their own ``idempotencyKey`` (scope: game, endpoint, key): a key already applied, by an
earlier batch or earlier in the same batch, makes its row ``skipped``. A bad row fails alone and
the rest apply. Migration emits no webhooks, not even ``player.registered`` for the players it
creates; every balance or quantity change still writes a ledger row (``source_kind``
``migration``, ``source_ref_id`` the row's key). One audit row per batch records the counts.

Order of decisions for a row: its own fields (validated by the caller), its catalog key
(``not_found``), its key already applied (``skipped``), its player (wallet and inventory rows
create a missing one, as players rows do; an id still held as the placeholder of an erased or
merged-away row is ``not_found``), an earlier applicable row with the same key in this batch
(``skipped``). Keys are claimed with ``INSERT ... ON CONFLICT DO NOTHING``, so a concurrent
batch holding the same key on PostgreSQL waits and then skips it instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, select

from kraty_local.services.context import OpContext, new_id
from kraty_local.services.holdings import (
    INVENTORY,
    MAX_AMOUNT,
    HoldingKind,
    create_missing_holdings,
)
from kraty_local.services.players import new_player_shared
from kraty_local.store.bulk import insert_many, update_many
from kraty_local.store.schema import migration_keys, players
from kraty_local.wire import MigrationFailure, MigrationOutcome

SOURCE_KIND = "migration"
_PLAYER_UNIQUE = ("game_id", "external_player_id")


class MigrationRow(NamedTuple):
    """One valid row: a player (``key`` empty) or a wallet / inventory holding (a tuple: a
    batch makes a thousand of them)."""

    row_index: int
    external_player_id: str
    idempotency_key: str
    key: str = ""
    amount: int = 0
    reason: str | None = None
    parameters: dict[str, Any] | None = None
    context_snapshot: dict[str, Any] | None = None


def failure(
    index: int, external_player_id: str | None, code: str, message: str
) -> MigrationFailure:
    """A failed row as the answer lists it."""
    failed: MigrationFailure = {"rowIndex": index, "error": {"code": code, "message": message}}
    if external_player_id is not None:
        failed["externalPlayerId"] = external_player_id
    return failed


class _Batch:
    """The running outcome of one batch."""

    def __init__(self, ctx: OpContext, endpoint: str, failures: Iterable[MigrationFailure]) -> None:
        self.ctx = ctx
        self.endpoint = endpoint
        self.failures = list(failures)
        self.skipped = 0

    def fail(self, row: MigrationRow, code: str, message: str) -> None:
        self.failures.append(failure(row.row_index, row.external_player_id, code, message))

    def unapplied(self, rows: Sequence[MigrationRow]) -> list[MigrationRow]:
        """The rows whose key no earlier batch applied; the others count as skipped."""
        keys = {row.idempotency_key for row in rows}
        done = set(
            self.ctx.conn.execute(
                select(migration_keys.c.key).where(*self._scope(), migration_keys.c.key.in_(keys))
            ).scalars()
        )
        fresh = [row for row in rows if row.idempotency_key not in done]
        self.skipped += len(rows) - len(fresh)
        return fresh

    def claim(self, rows: Sequence[MigrationRow]) -> list[MigrationRow]:
        """Record the keys of ``rows``; rows repeating a key (in this batch or concurrently
        committed) count as skipped. Returns the rows to apply, in order."""
        first: dict[str, MigrationRow] = {}
        for row in rows:
            first.setdefault(row.idempotency_key, row)
        ctx = self.ctx
        claimed = {
            key
            for (key,) in insert_many(
                ctx.conn,
                migration_keys,
                ("key",),
                [(key,) for key in first],
                {
                    "studio_id": ctx.game.studio_id,
                    "game_id": ctx.game.id,
                    "endpoint": self.endpoint,
                    "created_at": ctx.now,
                },
                conflict_on=("game_id", "endpoint", "key"),
                returning=("key",),
            )
        }
        chosen = [row for key, row in first.items() if key in claimed]
        self.skipped += len(rows) - len(chosen)
        return chosen

    def release(self, rows: Sequence[MigrationRow]) -> None:
        """Forget the keys of claimed rows that failed after all."""
        if rows:
            keys = [row.idempotency_key for row in rows]
            self.ctx.conn.execute(
                delete(migration_keys).where(*self._scope(), migration_keys.c.key.in_(keys))
            )

    def outcome(self, applied: int) -> MigrationOutcome:
        """The answer, with an audit row of the counts."""
        failed = len(self.failures)
        self.ctx.audit(
            f"migrate.{self.endpoint}",
            None,
            {"applied": applied, "skipped": self.skipped, "failed": failed},
        )
        return {
            "applied": applied,
            "skipped": self.skipped,
            "failed": failed,
            "failures": sorted(self.failures, key=lambda f: f["rowIndex"]),
        }

    def _scope(self) -> list[Any]:
        return [
            migration_keys.c.game_id == self.ctx.game.id,
            migration_keys.c.endpoint == self.endpoint,
        ]


def import_players(
    ctx: OpContext,
    rows: Sequence[MigrationRow],
    failures: Sequence[MigrationFailure],
) -> MigrationOutcome:
    """Create the players of ``rows``, or update their last context snapshot.

    ``failures`` are the rows the caller already rejected (invalid fields).
    """
    batch = _Batch(ctx, "players", failures)
    # No separate look-up of applied keys first: a players row has no later decision that an
    # applied key must win over, so the claim alone skips them.
    todo = batch.claim(rows)
    snapshots: dict[str, dict[str, Any] | None] = {}
    for row in todo:  # the last snapshot given for a player wins
        if row.context_snapshot is not None or row.external_player_id not in snapshots:
            snapshots[row.external_player_id] = row.context_snapshot
    created = {
        external_id
        for (external_id,) in insert_many(
            ctx.conn,
            players,
            ("id", "external_player_id", "last_context_snapshot"),
            [(new_id(), external_id, snapshot) for external_id, snapshot in snapshots.items()],
            new_player_shared(ctx),
            conflict_on=_PLAYER_UNIQUE,
            returning=("external_player_id",),
        )
    }
    updates = [
        {"b_external_id": external_id, "b_snapshot": snapshot, "b_now": ctx.now}
        for external_id, snapshot in snapshots.items()
        if snapshot is not None and external_id not in created
    ]
    if updates:
        ctx.conn.execute(
            players.update()
            .where(
                players.c.game_id == ctx.game.id,
                players.c.external_player_id == bindparam("b_external_id"),
                players.c.deleted_at.is_(None),
                players.c.merged_into_id.is_(None),
            )
            .values(last_context_snapshot=bindparam("b_snapshot"), updated_at=bindparam("b_now")),
            updates,
        )
    return batch.outcome(len(todo))


def import_holdings(
    ctx: OpContext,
    kind: HoldingKind,
    rows: Sequence[MigrationRow],
    failures: Sequence[MigrationFailure],
) -> MigrationOutcome:
    """Add each row's amount to its player's wallet or inventory, with a ledger row; players
    that do not exist yet are created (silently, like every migration write).

    ``failures`` are the rows the caller already rejected (invalid fields).
    """
    batch = _Batch(ctx, "inventory" if kind is INVENTORY else "wallet", failures)
    known = []
    for row in rows:
        if kind.known(ctx, row.key):
            known.append(row)
        else:
            batch.fail(row, "not_found", f"Unknown {kind.noun} {row.key!r}.")
    fresh = batch.unapplied(known)
    player_ids = _ensure_players(ctx, {row.external_player_id for row in fresh})
    present = []
    for row in fresh:
        if row.external_player_id in player_ids:
            present.append(row)
        else:
            batch.fail(row, "not_found", f"Unknown player {row.external_player_id!r}.")
    todo = batch.claim(present)
    applied, overflowed = _apply_holdings(ctx, kind, todo, player_ids)
    for row in overflowed:
        batch.fail(row, "conflict", f"{row.key!r} would exceed the maximum of {MAX_AMOUNT}.")
    batch.release(overflowed)
    return batch.outcome(applied)


def _ensure_players(ctx: OpContext, external_ids: set[str]) -> dict[str, str]:
    """The live players with these ids by external id, creating the missing ones."""
    missing = external_ids - set(_player_ids(ctx, external_ids))
    if missing:
        insert_many(
            ctx.conn,
            players,
            ("id", "external_player_id"),
            [(new_id(), external_id) for external_id in sorted(missing)],
            new_player_shared(ctx),
            conflict_on=_PLAYER_UNIQUE,
        )
    return _player_ids(ctx, external_ids)


def _player_ids(ctx: OpContext, external_ids: set[str]) -> dict[str, str]:
    if not external_ids:
        return {}
    found = ctx.conn.execute(
        select(players.c.external_player_id, players.c.id).where(
            players.c.game_id == ctx.game.id,
            players.c.external_player_id.in_(external_ids),
            players.c.deleted_at.is_(None),
            players.c.merged_into_id.is_(None),
        )
    )
    return {str(external_id): str(player_id) for external_id, player_id in found}


def _apply_holdings(
    ctx: OpContext, kind: HoldingKind, rows: Sequence[MigrationRow], player_ids: dict[str, str]
) -> tuple[int, list[MigrationRow]]:
    """Apply ``rows`` in order; return how many applied and the rows that would overflow."""
    if not rows:
        return 0, []
    table, key_column, amount_column = kind.table, kind.key_column, kind.amount_column
    pairs = {(player_ids[row.external_player_id], row.key) for row in rows}
    create_missing_holdings(ctx, kind, pairs)
    locked = ctx.conn.execute(
        select(table.c.id, table.c.player_id, table.c[key_column], table.c[amount_column])
        .where(
            table.c.player_id.in_({p for p, _ in pairs}),
            table.c[key_column].in_({k for _, k in pairs}),
        )
        .order_by(table.c.id)
        .with_for_update()
    )
    holdings = {(r[1], r[2]): [r[0], int(r[3]), None] for r in locked if (r[1], r[2]) in pairs}
    ledger: list[tuple[Any, ...]] = []
    overflowed = []
    with_parameters = kind is INVENTORY
    for row in rows:
        player_id = player_ids[row.external_player_id]
        holding = holdings[(player_id, row.key)]
        if holding[1] > MAX_AMOUNT - row.amount:
            overflowed.append(row)
            continue
        holding[1] += row.amount
        if row.parameters is not None:
            holding[2] = row.parameters
        entry = (holding[0], player_id, row.key, row.amount, holding[1], row.reason)
        ledger.append((*entry, row.idempotency_key, *([row.parameters] if with_parameters else [])))
    _write_holdings(ctx, kind, holdings.values())
    insert_many(
        ctx.conn,
        kind.ledger,
        _ledger_columns(kind, with_parameters),
        ledger,
        {"source_kind": SOURCE_KIND, "grant_id": None, "actor": ctx.actor, "created_at": ctx.now},
    )
    return len(ledger), overflowed


def _ledger_columns(kind: HoldingKind, with_parameters: bool) -> list[str]:
    """The columns of a migration ledger row, in the order ``_apply_holdings`` builds it."""
    columns = [kind.ledger_fk, "player_id", kind.key_column, "delta", kind.ledger_after]
    return [*columns, "reason", "source_ref_id", *(["parameters"] if with_parameters else [])]


def _write_holdings(ctx: OpContext, kind: HoldingKind, holdings: Iterable[list[Any]]) -> None:
    """Store the new amounts, and the new parameters of items that were given some."""
    plain, with_parameters = [], []
    for holding_id, amount, parameters in holdings:
        if parameters is None:
            plain.append((holding_id, amount))
        else:
            with_parameters.append((holding_id, amount, parameters))
    now = {"updated_at": ctx.now}
    update_many(ctx.conn, kind.table, "id", [kind.amount_column], plain, now)
    update_many(
        ctx.conn, kind.table, "id", [kind.amount_column, "parameters"], with_parameters, now
    )
