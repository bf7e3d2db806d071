"""Read-only views of a player: snapshot, GDPR Article 15 export and the social lists.

Only live players are visible: an erased or merged-away id is ``404``. Social rows have no write
API in the contract; whatever the tables hold is shown. A friendship may be stored as one row or
as one row per side: either way each friend appears once, with the earliest ``since``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Row, Select, Table, or_, select
from sqlalchemy.sql import ColumnElement

from kraty_local.services.context import OpContext
from kraty_local.services.grants import grant_view
from kraty_local.services.players import require_player_row
from kraty_local.store.schema import (
    attempts,
    audit_log,
    blocks,
    friend_requests,
    friends,
    grants,
    inventory,
    inventory_ledger,
    lobbies,
    lobby_members,
    players,
    wallet_ledger,
    wallets,
)
from kraty_local.timefmt import iso, iso_or_none
from kraty_local.wire_players import (
    Block,
    BlocksList,
    ExportedPlayer,
    Friend,
    FriendRequest,
    FriendRequests,
    FriendsList,
    InventoryHolding,
    PlayerExport,
    PlayerSnapshot,
    WalletHolding,
)

T = TypeVar("T")

#: Grants shown by the snapshot, newest first.
RECENT_GRANTS = 20
#: Rows per list in an export (and per social list).
LIST_CAP = 1000
EXPORT_SCHEMA_VERSION = 1


def snapshot(ctx: OpContext, external_player_id: str) -> PlayerSnapshot:
    """The player, their holdings and their most recent grants."""
    row = require_player_row(ctx, external_player_id)
    recent = ctx.conn.execute(_newest_grants(row.id).limit(RECENT_GRANTS)).all()
    return {
        "player": {
            "id": row.id,
            "externalPlayerId": row.external_player_id,
            "studioId": row.studio_id,
            "gameId": row.game_id,
            "createdAt": iso(row.created_at),
            "updatedAt": iso(row.updated_at),
        },
        "inventory": [_item(r) for r in ctx.conn.execute(_holdings(inventory, row.id, "item_key"))],
        "wallet": [_wallet(r) for r in ctx.conn.execute(_holdings(wallets, row.id, "economy_key"))],
        "recentGrants": [grant_view(ctx, g) for g in recent],
    }


def export(ctx: OpContext, external_player_id: str) -> PlayerExport:
    """Everything held about the player: holdings by key, histories newest first, each list
    capped at ``LIST_CAP`` rows (``truncated`` names the lists that hit the cap)."""
    row = require_player_row(ctx, external_player_id)
    truncated: list[str] = []

    def capped(name: str, query: Select[Any], view: Callable[[Row[Any]], T]) -> list[T]:
        rows = ctx.conn.execute(query.limit(LIST_CAP + 1)).all()
        if len(rows) > LIST_CAP:
            truncated.append(name)
        return [view(r) for r in rows[:LIST_CAP]]

    mine = row.id
    result: PlayerExport = {
        "schemaVersion": EXPORT_SCHEMA_VERSION,
        "exportedAt": iso(ctx.now),
        "player": _exported_player(row),
        "attempts": capped(
            "attempts",
            select(attempts)
            .where(attempts.c.player_id == mine)
            .order_by(attempts.c.created_at.desc(), attempts.c.id.desc()),
            _attempt,
        ),
        "grants": capped("grants", _newest_grants(mine), lambda g: grant_view(ctx, g)),
        "inventory": capped(
            "inventory",
            _holdings(inventory, mine, "item_key"),
            lambda r: {**_item(r), "parameters": r.parameters},
        ),
        "wallet": capped("wallet", _holdings(wallets, mine, "economy_key"), _wallet),
        "lobbies": capped(
            "lobbies",
            select(lobbies, lobby_members.c.joined_at)
            .join(lobby_members, lobby_members.c.lobby_id == lobbies.c.id)
            .where(lobby_members.c.player_id == mine)
            .order_by(lobby_members.c.id.desc()),
            lambda r: _lobby(ctx, r),
        ),
        "walletLedger": capped(
            "walletLedger",
            select(wallet_ledger)
            .where(wallet_ledger.c.player_id == mine)
            .order_by(wallet_ledger.c.id.desc()),
            lambda r: _ledger(r, "economyKey", r.economy_key, "balanceAfter", r.balance_after),
        ),
        "inventoryLedger": capped(
            "inventoryLedger",
            select(inventory_ledger)
            .where(inventory_ledger.c.player_id == mine)
            .order_by(inventory_ledger.c.id.desc()),
            lambda r: {
                **_ledger(r, "itemKey", r.item_key, "quantityAfter", r.quantity_after),
                "parameters": r.parameters,
            },
        ),
        "audit": capped(
            "audit",
            select(audit_log).where(audit_log.c.player_id == mine).order_by(audit_log.c.id.desc()),
            _audit,
        ),
        "friends": _friends(ctx, mine),
        "friendRequests": _requests(ctx, mine),
        "blocks": _blocks(ctx, mine),
        "truncated": truncated,
    }
    return result


def friends_of(ctx: OpContext, external_player_id: str) -> FriendsList:
    """``{"friends": [...]}``, oldest friendship first."""
    return {"friends": _friends(ctx, require_player_row(ctx, external_player_id).id)}


def friend_requests_of(ctx: OpContext, external_player_id: str) -> FriendRequests:
    """The player's pending friend requests, ``incoming`` and ``outgoing``, oldest first."""
    return _requests(ctx, require_player_row(ctx, external_player_id).id)


def blocks_of(ctx: OpContext, external_player_id: str) -> BlocksList:
    """``{"blocks": [...]}``, oldest block first."""
    return {"blocks": _blocks(ctx, require_player_row(ctx, external_player_id).id)}


def _friends(ctx: OpContext, player_id: str) -> list[Friend]:
    other = players.alias("other")
    rows = ctx.conn.execute(
        select(other.c.id, other.c.external_player_id, friends.c.created_at)
        .join(
            other,
            or_(
                (friends.c.player_id == player_id) & (other.c.id == friends.c.friend_player_id),
                (friends.c.friend_player_id == player_id) & (other.c.id == friends.c.player_id),
            ),
        )
        .order_by(friends.c.created_at, friends.c.id)
        .limit(2 * LIST_CAP)
    ).all()
    seen: dict[str, Friend] = {}
    for friend_id, external_id, since in rows:
        seen.setdefault(
            friend_id, {"playerId": friend_id, "externalPlayerId": external_id, "since": iso(since)}
        )
    return list(seen.values())[:LIST_CAP]


def _requests(ctx: OpContext, player_id: str) -> FriendRequests:
    sender, receiver = players.alias("sender"), players.alias("receiver")
    base = (
        select(
            friend_requests,
            sender.c.external_player_id.label("sender_external_id"),
            receiver.c.external_player_id.label("receiver_external_id"),
        )
        .join(sender, sender.c.id == friend_requests.c.from_player_id)
        .join(receiver, receiver.c.id == friend_requests.c.to_player_id)
        .where(friend_requests.c.status == "pending")
        .order_by(friend_requests.c.created_at, friend_requests.c.id)
        .limit(LIST_CAP)
    )

    def listed(side: ColumnElement[bool]) -> list[FriendRequest]:
        return [
            {
                "id": r.id,
                "fromExternalPlayerId": r.sender_external_id,
                "toExternalPlayerId": r.receiver_external_id,
                "status": r.status,
                "createdAt": iso(r.created_at),
                "updatedAt": iso(r.updated_at),
            }
            for r in ctx.conn.execute(base.where(side))
        ]

    return {
        "incoming": listed(friend_requests.c.to_player_id == player_id),
        "outgoing": listed(friend_requests.c.from_player_id == player_id),
    }


def _blocks(ctx: OpContext, player_id: str) -> list[Block]:
    rows = ctx.conn.execute(
        select(players.c.id, players.c.external_player_id, blocks.c.created_at)
        .join(players, players.c.id == blocks.c.blocked_player_id)
        .where(blocks.c.player_id == player_id)
        .order_by(blocks.c.created_at, blocks.c.id)
        .limit(LIST_CAP)
    ).all()
    return [
        {"playerId": pid, "externalPlayerId": external_id, "blockedAt": iso(at)}
        for pid, external_id, at in rows
    ]


def _newest_grants(player_id: str) -> Select[Any]:
    return (
        select(grants)
        .where(grants.c.player_id == player_id)
        .order_by(grants.c.created_at.desc(), grants.c.id.desc())
    )


def _holdings(table: Table, player_id: str, key: str) -> Select[Any]:
    return select(table).where(table.c.player_id == player_id).order_by(table.c[key])


def _item(row: Row[Any]) -> InventoryHolding:
    return {
        "itemKey": row.item_key,
        "quantity": int(row.quantity),
        "metadata": row._mapping["metadata"],
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }


def _wallet(row: Row[Any]) -> WalletHolding:
    return {
        "economyKey": row.economy_key,
        "balance": int(row.balance),
        "metadata": row._mapping["metadata"],
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }


def _exported_player(row: Row[Any]) -> ExportedPlayer:
    return {
        "id": row.id,
        "externalPlayerId": row.external_player_id,
        "studioId": row.studio_id,
        "gameId": row.game_id,
        "firstSeenAt": iso_or_none(row.first_seen_at),
        "lastSeenAt": iso_or_none(row.last_seen_at),
        "lastContextSnapshot": row.last_context_snapshot,
        "registeredAt": iso_or_none(row.registered_at),
        "secretRotatedAt": iso_or_none(row.secret_rotated_at),
        "deletedAt": iso_or_none(row.deleted_at),
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
        "bannedAt": iso_or_none(row.banned_at),
        "banReason": row.ban_reason,
        "syntheticIdentity": None
        if row.synthetic_name is None
        else {"name": row.synthetic_name, "avatar": row.synthetic_avatar},
    }


def _attempt(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "eventKey": row.event_key,
        "attemptId": row.attempt_key,
        "lobbyId": row.lobby_id,
        "status": row.status,
        "metricValue": row.metric_value,
        "metrics": row.metrics,
        "milestonesFired": row.milestones_fired,
        "startedAt": iso(row.started_at),
        "finishedAt": iso_or_none(row.finished_at),
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }


def _lobby(ctx: OpContext, row: Row[Any]) -> dict[str, Any]:
    closed = row.ends_at is not None and row.ends_at <= ctx.now
    return {
        "id": row.id,
        "eventId": row.event_key,
        "status": "closed" if closed else row.status,
        "createdAt": iso(row.created_at),
        "joinedAt": iso(row.joined_at),
    }


def _ledger(row: Row[Any], key_name: str, key: str, after_name: str, after: int) -> dict[str, Any]:
    return {
        "id": row.id,
        key_name: key,
        "delta": int(row.delta),
        after_name: int(after),
        "reason": row.reason,
        "sourceKind": row.source_kind,
        "sourceRefId": row.source_ref_id,
        "grantId": row.grant_id,
        "actor": row.actor,
        "createdAt": iso(row.created_at),
    }


def _audit(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "actor": row.actor,
        "action": row.action,
        "details": row.details,
        "at": iso(row.at),
    }
