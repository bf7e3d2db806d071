"""Merging one player into another: ``POST /players/{from}/merge-into/{to}``.

Both rows are locked in id order (one ``SELECT ... ORDER BY id FOR UPDATE``), so two merges of
the same pair in opposite directions cannot deadlock. Then, in one transaction:

- holdings: every non-zero wallet balance and item quantity of the source is moved with two
  ledger rows written through ``holdings.change_holding`` (``source_kind="merge"``): a debit to
  zero on the source and a credit on the target, so amounts add up on key collisions and
  ``balance == sum(ledger)`` holds for both players. History rows are not rewritten: the
  ledger stays append-only and the source's history stays with the source row.
  ``walletsMerged``/``itemsMerged`` count the moved holdings, ``walletLedgerRowsMoved``/
  ``itemLedgerRowsMoved`` the ledger rows written for them (two per holding). An item's
  parameters go along only when the target's holding has none.
- grants: reassigned to the target (``grantsReassigned``).
- attempts: reassigned, except one whose (event, attemptId) the target already has, which stays
  on the source row (``attemptsReassigned`` counts the moved ones).
- lobby memberships: reassigned, or dropped where the target is already seated in that lobby
  (``lobbiesTouched`` counts both).
- leaderboard entries: reassigned where the target has no entry on that board and segment;
  otherwise the target's score stands and the source's entry is deleted
  (``leaderboardsScrubbed``).
- friends, friend requests and blocks move over; links between the two players, and those the
  target already has, are dropped.
- the source row becomes ``__merged_<uuid>__`` with ``merged_into_id`` set, and a tombstone
  records it, so the source id is free for re-registration and a repeated merge of the pair
  answers ``no_op_already_merged``.

Refusals (``422 conflict``): the same id on both sides, a banned target, or a side that names an
erased or merged-away row (only reachable through its placeholder id).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Table, exists, or_, select

from kraty_local.domain.errors import InvalidMerge, NotFound
from kraty_local.services import tombstones
from kraty_local.services.context import OpContext, new_id
from kraty_local.services.erasure import SOCIAL_LINKS
from kraty_local.services.holdings import (
    INVENTORY,
    WALLET,
    HoldingKind,
    change_holding,
    lock_players_holdings,
)
from kraty_local.services.players import PlayerRef
from kraty_local.store.schema import (
    attempts,
    grants,
    leaderboard_entries,
    lobby_members,
    players,
)
from kraty_local.timefmt import iso
from kraty_local.wire_players import MergeCounts, MergeResult, MergeStatus


def merge(ctx: OpContext, from_external_id: str, to_external_id: str) -> MergeResult:
    """Fold the player ``from_external_id`` into ``to_external_id`` (see module doc)."""
    if from_external_id == to_external_id:
        raise _refuse("A player cannot be merged into itself.", from_external_id, to_external_id)
    locked = ctx.conn.execute(
        select(players)
        .where(
            players.c.game_id == ctx.game.id,
            players.c.external_player_id.in_([from_external_id, to_external_id]),
        )
        .order_by(players.c.id)
        # FOR NO KEY UPDATE on PostgreSQL: writes that only reference these players (ledger and
        # grant rows take a KEY SHARE lock through their foreign keys) are not blocked by it.
        .with_for_update(key_share=True)
    ).all()
    by_external_id = {row.external_player_id: row for row in locked}
    target = by_external_id.get(to_external_id)
    if target is None:
        raise NotFound(f"Unknown player {to_external_id!r}.")
    _check_mergeable(target, "target", from_external_id, to_external_id)
    if target.banned_at is not None:
        raise _refuse("The target player is banned.", from_external_id, to_external_id)
    source = by_external_id.get(from_external_id)
    if source is None:
        return _previous_merge(ctx, from_external_id, target)
    _check_mergeable(source, "source", from_external_id, to_external_id)
    return _merge(ctx, source, target)


def _merge(ctx: OpContext, source: Row[Any], target: Row[Any]) -> MergeResult:
    source_ref = PlayerRef(source.id, source.external_player_id)
    target_ref = PlayerRef(target.id, target.external_player_id)
    # Concurrent writes to either player wait from here on: the amounts read below stay current.
    lock_players_holdings(ctx, [source.id, target.id])
    wallets_merged = _move_holdings(ctx, WALLET, source_ref, target_ref)
    items_merged = _move_holdings(ctx, INVENTORY, source_ref, target_ref)
    conn = ctx.conn
    grants_reassigned = conn.execute(
        grants.update().where(grants.c.player_id == source.id).values(player_id=target.id)
    ).rowcount
    attempts_reassigned = _reassign(
        ctx, attempts, "player_id", source.id, target.id, ("event_key", "attempt_key")
    )
    lobbies_touched = _reassign(
        ctx, lobby_members, "player_id", source.id, target.id, ("lobby_id",)
    ) + _delete_rows(ctx, lobby_members, lobby_members.c.player_id == source.id)
    _reassign(
        ctx,
        leaderboard_entries,
        "player_id",
        source.id,
        target.id,
        ("game_id", "leaderboard_key", "segment", "period_start"),
    )
    scrubbed = _delete_rows(ctx, leaderboard_entries, leaderboard_entries.c.player_id == source.id)
    _move_social_links(ctx, source.id, target.id)
    placeholder = f"__merged_{new_id()}__"
    conn.execute(
        players.update()
        .where(players.c.id == source.id)
        .values(external_player_id=placeholder, merged_into_id=target.id, updated_at=ctx.now)
    )
    tombstones.bury(ctx, source.external_player_id, source.id, "merged")
    counts: MergeCounts = {
        "attemptsReassigned": attempts_reassigned,
        "grantsReassigned": grants_reassigned,
        "itemsMerged": items_merged,
        "itemLedgerRowsMoved": 2 * items_merged,
        "walletsMerged": wallets_merged,
        "walletLedgerRowsMoved": 2 * wallets_merged,
        "lobbiesTouched": lobbies_touched,
        "leaderboardsScrubbed": scrubbed,
    }
    result = _result(
        (source.id, source.external_player_id, placeholder), target, counts, iso(ctx.now), "merged"
    )
    ctx.emit("player.merged", {k: v for k, v in result.items() if k != "status"})
    details = {"fromPlayerId": source.id, "toPlayerId": target.id, "counts": counts}
    ctx.audit("player.merged_away", source.id, details)
    ctx.audit("player.merged_into", target.id, details)
    return result


def _move_holdings(ctx: OpContext, kind: HoldingKind, source: PlayerRef, target: PlayerRef) -> int:
    """Move every non-zero holding of ``kind``; return how many moved."""
    table = kind.table
    key_col, amount_col = table.c[kind.key_column], table.c[kind.amount_column]
    held = ctx.conn.execute(  # FOR UPDATE too: covers holdings created since the lock above
        select(table)
        .where(table.c.player_id == source.id, amount_col > 0)
        .order_by(key_col)
        .with_for_update()
    ).all()
    target_parameters: dict[str, Any] = {}
    if kind is INVENTORY:
        rows = ctx.conn.execute(
            select(key_col, table.c.parameters).where(table.c.player_id == target.id)
        )
        target_parameters = dict(rows.all())
    for row in held:
        key, amount = row._mapping[kind.key_column], int(row._mapping[kind.amount_column])
        common: dict[str, Any] = {"reason": "merge", "source_kind": "merge"}
        change_holding(ctx, kind, source, key, -amount, source_ref_id=target.id, **common)
        parameters = None
        if kind is INVENTORY and target_parameters.get(key) is None:
            parameters = row.parameters
        change_holding(
            ctx, kind, target, key, amount, source_ref_id=source.id, parameters=parameters, **common
        )
    return len(held)


def _reassign(
    ctx: OpContext,
    table: Table,
    column: str,
    source_id: str,
    target_id: str,
    unique_with: tuple[str, ...],
) -> int:
    """Point ``column`` from source to target on every row that would not break uniqueness."""
    other = table.alias("other")
    clash = exists().where(
        other.c[column] == target_id, *(other.c[c] == table.c[c] for c in unique_with)
    )
    return ctx.conn.execute(
        table.update().where(table.c[column] == source_id, ~clash).values({column: target_id})
    ).rowcount


def _delete_rows(ctx: OpContext, table: Table, where: Any) -> int:
    return ctx.conn.execute(table.delete().where(where)).rowcount


def _move_social_links(ctx: OpContext, source_id: str, target_id: str) -> None:
    for table, one, two in SOCIAL_LINKS:
        between = or_(
            (table.c[one] == source_id) & (table.c[two] == target_id),
            (table.c[one] == target_id) & (table.c[two] == source_id),
        )
        _delete_rows(ctx, table, between)
        _reassign(ctx, table, one, source_id, target_id, (two,))
        _reassign(ctx, table, two, source_id, target_id, (one,))
        _delete_rows(ctx, table, or_(table.c[one] == source_id, table.c[two] == source_id))


def _previous_merge(ctx: OpContext, from_external_id: str, target: Row[Any]) -> MergeResult:
    """The earlier merge of this pair (``no_op_already_merged``), else ``404``."""
    for row in tombstones.buried(ctx, from_external_id, "merged"):
        if row.merged_into_id == target.id:
            nothing: MergeCounts = {
                "attemptsReassigned": 0,
                "grantsReassigned": 0,
                "itemsMerged": 0,
                "itemLedgerRowsMoved": 0,
                "walletsMerged": 0,
                "walletLedgerRowsMoved": 0,
                "lobbiesTouched": 0,
                "leaderboardsScrubbed": 0,
            }
            merged_at = iso(row.buried_at)
            source = (row.id, from_external_id, row.external_player_id)
            return _result(source, target, nothing, merged_at, "no_op_already_merged")
    raise NotFound(f"Unknown player {from_external_id!r}.")


def _result(
    source: tuple[str, str, str],
    target: Row[Any],
    counts: MergeCounts,
    merged_at: str,
    status: MergeStatus,
) -> MergeResult:
    """The answer; ``source`` is (row id, original external id, placeholder)."""
    source_id, source_external_id, placeholder = source
    return {
        "fromPlayerId": source_id,
        "fromExternalPlayerId": source_external_id,
        "toPlayerId": target.id,
        "toExternalPlayerId": target.external_player_id,
        "anonymizedExternalPlayerId": placeholder,
        "counts": counts,
        "mergedAt": merged_at,
        "status": status,
    }


def _check_mergeable(row: Row[Any], side: str, from_id: str, to_id: str) -> None:
    if row.deleted_at is not None or row.merged_into_id is not None:
        gone = "erased" if row.deleted_at is not None else "merged away"
        raise _refuse(f"The {side} player was {gone}.", from_id, to_id)


def _refuse(message: str, from_id: str, to_id: str) -> InvalidMerge:
    return InvalidMerge(message, from_id, to_id)
