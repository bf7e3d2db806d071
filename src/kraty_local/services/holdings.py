"""Balances and quantities: the one place they change, always with a ledger row.

Wallet balances and inventory quantities behave the same way, so one function serves both. A
change is one guarded statement that returns the new value (never below zero, never past
2**63-1): an upsert for an increase (the holding is created on first use), a conditional
``UPDATE`` for a decrease. An append-only ledger row and a ``*.changed`` outbox event follow, all
in the caller's transaction. The statements are built once per kind and engine.

Wherever a transaction changes several holdings it locks them up front in one global order:
wallets before inventory, each table in primary-key order (:func:`lock_holdings` for acks,
:func:`lock_players_holdings` for merges, the same ``ORDER BY id FOR UPDATE`` in migration
batches), so on PostgreSQL two such transactions wait for each other instead of deadlocking.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from kraty_local.domain.errors import Conflict, Insufficient, NotFound
from kraty_local.services.context import OpContext, new_id
from kraty_local.services.players import PlayerRef, ensure_player
from kraty_local.store.bulk import insert_many
from kraty_local.store.queries import insert_ignore, insert_into
from kraty_local.store.schema import inventory, inventory_ledger, wallet_ledger, wallets

MAX_AMOUNT = 2**63 - 1


@dataclass(frozen=True, eq=False)
class HoldingKind:
    """Which tables, columns and wire names one kind of holding uses."""

    table: Table
    key_column: str
    amount_column: str
    ledger: Table
    ledger_fk: str
    ledger_after: str
    event_name: str
    wire_key: str
    wire_amount: str
    noun: str

    def known(self, ctx: OpContext, key: str) -> bool:
        """Whether ``key`` is in the game's catalog for this kind."""
        catalog = ctx.game.catalog
        return key in (catalog.currencies if self is WALLET else catalog.items)


WALLET = HoldingKind(
    wallets,
    "economy_key",
    "balance",
    wallet_ledger,
    "wallet_id",
    "balance_after",
    "wallet.changed",
    "economyKey",
    "balance",
    "currency",
)
INVENTORY = HoldingKind(
    inventory,
    "item_key",
    "quantity",
    inventory_ledger,
    "inventory_id",
    "quantity_after",
    "inventory.changed",
    "itemKey",
    "quantity",
    "item",
)


def api_change(
    ctx: OpContext,
    kind: HoldingKind,
    external_player_id: str,
    key: str,
    delta: int,
    *,
    action: str,
    reason: str | None,
    source_ref_id: str | None,
    source_kind: str = "api",
) -> dict[str, Any]:
    """Wallet credit/debit or inventory grant/revoke, answered in the wire shape.

    Checks the catalog (a decided :class:`NotFound`), creates the player if needed, and writes
    the audit row. ``source_kind`` marks the ledger row (``"client"`` for ``/sdk/v1`` writes).
    """
    if not kind.known(ctx, key):
        raise NotFound(f"Unknown {kind.noun} {key!r}.", decided=True)
    player = ensure_player(ctx, external_player_id)
    value = change_holding(
        ctx,
        kind,
        player,
        key,
        delta,
        reason=reason,
        source_kind=source_kind,
        source_ref_id=source_ref_id,
    )
    ctx.audit(
        action,
        player.id,
        {
            kind.wire_key: key,
            "delta": delta,
            kind.wire_amount: value,
            "reason": reason,
            "sourceRefId": source_ref_id,
        },
    )
    return {kind.wire_key: key, kind.wire_amount: value, "applied": True}


def lock_holdings(
    ctx: OpContext, player: PlayerRef, holdings: Iterable[tuple[HoldingKind, str]]
) -> None:
    """Create (at zero) and lock every holding a multi-entry change will touch, in global order.

    Call it before changing several holdings of one player in one transaction;
    :func:`change_holding` then finds its rows already locked by this transaction.
    """
    wanted = sorted(set(holdings), key=lambda holding: (holding[0].table.name, holding[1]))
    for kind, key in wanted:
        _create_if_missing(ctx, kind, player, key)
    for kind in (WALLET, INVENTORY):
        keys = [key for of_kind, key in wanted if of_kind is kind]
        if keys:
            table = kind.table
            ctx.conn.execute(
                select(table.c.id)
                .where(table.c.player_id == player.id, table.c[kind.key_column].in_(keys))
                .order_by(table.c.id)
                .with_for_update()
            ).all()


def lock_players_holdings(ctx: OpContext, player_ids: Iterable[str]) -> None:
    """Lock every existing holding of these players, in global order (before a merge)."""
    for kind in (WALLET, INVENTORY):
        table = kind.table
        ctx.conn.execute(
            select(table.c.id)
            .where(table.c.player_id.in_(list(player_ids)))
            .order_by(table.c.id)
            .with_for_update()
        ).all()


def _empty_holding(ctx: OpContext, kind: HoldingKind, player_id: str, key: str) -> dict[str, Any]:
    """The row of a holding created at zero now."""
    return {"id": new_id(), "player_id": player_id, kind.key_column: key, **_at_zero(ctx, kind)}


def _at_zero(ctx: OpContext, kind: HoldingKind) -> dict[str, Any]:
    """What every holding created at zero by ``ctx`` shares."""
    return {kind.amount_column: 0, "created_at": ctx.now, "updated_at": ctx.now}


def _create_if_missing(ctx: OpContext, kind: HoldingKind, player: PlayerRef, key: str) -> None:
    insert_ignore(
        ctx.conn,
        kind.table,
        _empty_holding(ctx, kind, player.id, key),
        ["player_id", kind.key_column],
    )


def create_missing_holdings(
    ctx: OpContext, kind: HoldingKind, pairs: Iterable[tuple[str, str]]
) -> None:
    """Create at zero each ``(player id, key)`` holding that does not exist yet (bulk paths)."""
    insert_many(
        ctx.conn,
        kind.table,
        ("id", "player_id", kind.key_column),
        [(new_id(), player_id, key) for player_id, key in pairs],
        _at_zero(ctx, kind),
        conflict_on=("player_id", kind.key_column),
    )


def change_holding(
    ctx: OpContext,
    kind: HoldingKind,
    player: PlayerRef,
    key: str,
    delta: int,
    *,
    reason: str | None,
    source_kind: str,
    source_ref_id: str | None,
    grant_id: str | None = None,
    parameters: dict[str, Any] | None = None,
) -> int:
    """Add ``delta`` (either sign, non-zero) to a holding; return the new value.

    One guarded statement changes the row and returns it (an upsert creating the holding for an
    increase, an ``UPDATE`` for a decrease); it locks the row it changes. When the guard refuses,
    the row is locked and read to report the value the refusal was decided on (on PostgreSQL a
    concurrent change may have committed in between: then the change is tried again, locked).

    Raises :class:`Insufficient` when the result would be negative, :class:`Conflict` when it
    would overflow (both decided). ``parameters`` (items only) replace the
    row's parameters and are recorded on the ledger row.
    """
    # Bound names carry a b_ prefix: SQLAlchemy reserves column names in INSERT/UPDATE.
    holding = {"b_player": player.id, "b_key": key}
    params: dict[str, Any] = {**holding, "b_delta": delta, "b_now": ctx.now}
    with_parameters = parameters is not None
    if with_parameters:
        params["b_parameters"] = parameters
    if delta >= 0:
        change = _increase(ctx.conn.dialect.name, kind, with_parameters)
        params |= {"b_id": new_id(), "b_bound": MAX_AMOUNT - delta}
    else:
        change = _decrease(kind, with_parameters)
        params["b_bound"] = -delta
    row = ctx.conn.execute(change, params).first()
    if row is None:
        available = ctx.conn.execute(_lock_amount(kind), holding).scalar()
        available = 0 if available is None else int(available)
        fits = available <= MAX_AMOUNT - delta if delta >= 0 else available >= -delta
        row = ctx.conn.execute(change, params).first() if fits else None
        if row is None:
            if delta >= 0:
                raise Conflict(
                    f"{key!r} would exceed the maximum of {MAX_AMOUNT}.",
                    {kind.wire_key: key, "available": available, "requested": delta},
                    decided=True,
                )
            raise Insufficient(kind.wire_key, key, available, -delta, kind.wire_amount)
    holding_id, new_value = row[0], int(row[1])
    ledger_row: dict[str, Any] = {
        kind.ledger_fk: holding_id,
        "player_id": player.id,
        kind.key_column: key,
        "delta": delta,
        kind.ledger_after: new_value,
        "reason": reason,
        "source_kind": source_kind,
        "source_ref_id": source_ref_id,
        "grant_id": grant_id,
        "actor": ctx.actor,
        "created_at": ctx.now,
    }
    if with_parameters:
        ledger_row["parameters"] = parameters
    ctx.conn.execute(insert_into(kind.ledger), ledger_row)
    ctx.emit(
        kind.event_name,
        {
            "playerId": player.id,
            "externalPlayerId": player.external_player_id,
            kind.wire_key: key,
            kind.wire_amount: new_value,
            "delta": delta,
            "reason": reason,
            "sourceRefId": source_ref_id,
            "grantId": grant_id,
        },
    )
    return new_value


@functools.cache
def _increase(dialect: str, kind: HoldingKind, with_parameters: bool) -> Any:
    """Create the holding at ``delta``, or add ``delta`` unless past ``bound``; RETURNING the
    id and the new value (no row when the guard refuses)."""
    table = kind.table
    amount = table.c[kind.amount_column]
    values: dict[str, Any] = {
        "id": bindparam("b_id"),
        "player_id": bindparam("b_player"),
        kind.key_column: bindparam("b_key"),
        kind.amount_column: bindparam("b_delta"),
        "created_at": bindparam("b_now"),
        "updated_at": bindparam("b_now"),
    }
    if with_parameters:
        values["parameters"] = bindparam("b_parameters")
    stmt: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    stmt = stmt.values(values)
    update: dict[str, Any] = {
        kind.amount_column: amount + stmt.excluded[kind.amount_column],
        "updated_at": stmt.excluded.updated_at,
    }
    if with_parameters:
        update["parameters"] = stmt.excluded.parameters
    return stmt.on_conflict_do_update(
        index_elements=["player_id", kind.key_column],
        set_=update,
        where=amount <= bindparam("b_bound"),
    ).returning(table.c.id, amount)


@functools.cache
def _decrease(kind: HoldingKind, with_parameters: bool) -> Any:
    """Add (negative) ``delta`` when the holding has at least ``bound``; RETURNING as above."""
    table = kind.table
    amount = table.c[kind.amount_column]
    values: dict[str, Any] = {
        kind.amount_column: amount + bindparam("b_delta"),
        "updated_at": bindparam("b_now"),
    }
    if with_parameters:
        values["parameters"] = bindparam("b_parameters")
    return (
        table.update()
        .where(*_this_holding(kind), amount >= bindparam("b_bound"))
        .values(values)
        .returning(table.c.id, amount)
    )


@functools.cache
def _lock_amount(kind: HoldingKind) -> Any:
    """The holding's value, locked (no row when it does not exist)."""
    amount = kind.table.c[kind.amount_column]
    return select(amount).where(*_this_holding(kind)).with_for_update()


def _this_holding(kind: HoldingKind) -> list[Any]:
    table = kind.table
    return [
        table.c.player_id == bindparam("b_player"),
        table.c[kind.key_column] == bindparam("b_key"),
    ]
