"""Read-only views of a player: snapshot, GDPR Article 15 export and the social lists.

Only live players are visible: an erased or merged-away id is ``404``. Social rows have no write
API in the contract; whatever the tables hold is shown. A friendship may be stored as one row or
as one row per side: either way each friend appears once, with the earliest ``friendsSince``.
Every row names the other player with their ``displayIdentity`` (``services.identities``);
friends also carry presence: ``online`` only with a recent heartbeat, ``lastActiveAt`` the last
heartbeat (``null`` when none) and the ``status`` the client set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import Row, Select, Table, or_, select
from sqlalchemy.sql import ColumnElement

from kraty_local.services.context import OpContext
from kraty_local.services.grants import grant_view
from kraty_local.services.identities import display_identity, is_online, synthetic_identity
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
    BlockedPlayer,
    BlocksList,
    ExportedPlayer,
    Friend,
    FriendRequest,
    FriendRequestPlayer,
    FriendRequests,
    FriendsList,
    InventoryHolding,
    PlayerExport,
    PlayerIdentity,
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
        "grants": capped("grants", _newest_grants(mine), lambda g: dict(grant_view(ctx, g))),
        "inventory": capped(
            "inventory",
            _holdings(inventory, mine, "item_key"),
            lambda r: {**_item(r), "parameters": r.parameters},
        ),
        "wallet": capped(
            "wallet", _holdings(wallets, mine, "economy_key"), lambda r: dict(_wallet(r))
        ),
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
        "blocked": _blocked(ctx, mine),
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
    """``{"blocked": [...]}``, oldest block first."""
    return {"blocked": _blocked(ctx, require_player_row(ctx, external_player_id).id)}


def _identity(row: Row[Any]) -> PlayerIdentity | None:
    """The display identity of a row holding the player's identity columns."""
    return display_identity(row.synthetic_name, row.synthetic_avatar, row.country)


def _friends(ctx: OpContext, player_id: str) -> list[Friend]:
    other = players.alias("other")
    rows = ctx.conn.execute(
        select(other, friends.c.created_at.label("friends_since"))
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
    for row in rows:
        seen.setdefault(row.id, friend_view(ctx, row, row.friends_since))
    return list(seen.values())[:LIST_CAP]


def friend_view(ctx: OpContext, row: Row[Any], since: datetime) -> Friend:
    """A friend (a ``players`` row) as the friends lists show them, friends since ``since``."""
    return {
        "externalPlayerId": row.external_player_id,
        "displayIdentity": _identity(row),
        "friendsSince": iso(since),
        "online": is_online(row.last_active_at, ctx.now),
        "lastActiveAt": iso_or_none(row.last_active_at),
        "status": row.presence_status,
    }


def _requests(ctx: OpContext, player_id: str) -> FriendRequests:
    def listed(direction: Literal["incoming", "outgoing"]) -> list[FriendRequest]:
        mine, theirs = (
            ("to_player_id", "from_player_id")
            if direction == "incoming"
            else ("from_player_id", "to_player_id")
        )
        rows = ctx.conn.execute(
            select(friend_requests, *_identity_columns())
            .join(players, players.c.id == friend_requests.c[theirs])
            .where(friend_requests.c[mine] == player_id, friend_requests.c.status == "pending")
            .order_by(friend_requests.c.created_at, friend_requests.c.id)
            .limit(LIST_CAP)
        )
        return [
            {
                "requestId": r.id,
                "direction": direction,
                "player": other_player(r),
                "createdAt": iso(r.created_at),
            }
            for r in rows
        ]

    return {"incoming": listed("incoming"), "outgoing": listed("outgoing")}


def _blocked(ctx: OpContext, player_id: str) -> list[BlockedPlayer]:
    rows = ctx.conn.execute(
        select(blocks.c.created_at, *_identity_columns())
        .join(players, players.c.id == blocks.c.blocked_player_id)
        .where(blocks.c.player_id == player_id)
        .order_by(blocks.c.created_at, blocks.c.id)
        .limit(LIST_CAP)
    ).all()
    return [{**other_player(r), "blockedAt": iso(r.created_at)} for r in rows]


def _identity_columns() -> list[ColumnElement[Any]]:
    """The other player's columns a social row shows (the ``players`` table, joined)."""
    return [
        players.c.external_player_id,
        players.c.synthetic_name,
        players.c.synthetic_avatar,
        players.c.country,
    ]


def other_player(row: Row[Any]) -> FriendRequestPlayer:
    """The other player of a social row (its identity columns): external id and display
    identity."""
    return {"externalPlayerId": row.external_player_id, "displayIdentity": _identity(row)}


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
        "metadata": row._mapping["metadata"] or {},
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }


def _wallet(row: Row[Any]) -> WalletHolding:
    return {
        "economyKey": row.economy_key,
        "balance": int(row.balance),
        "metadata": row._mapping["metadata"] or {},
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }


def _exported_player(row: Row[Any]) -> ExportedPlayer:
    return {
        "id": row.id,
        "externalPlayerId": row.external_player_id,
        "studioId": row.studio_id,
        "gameId": row.game_id,
        "firstSeenAt": iso(row.first_seen_at or row.created_at),
        "lastSeenAt": iso(row.last_seen_at or row.created_at),
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
        else synthetic_identity(row.synthetic_name, row.synthetic_avatar),
        "country": row.country,
    }


def _attempt(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "eventKey": row.event_key,
        "attemptId": row.attempt_key,
        "lobbyId": row.lobby_id,
        "eventWindowId": row.event_window_id,
        "leaderboardId": row.leaderboard_id,
        "status": row.status,
        "metricValue": row.metric_value,
        "metrics": row.metrics,
        "milestonesFired": row.milestones_fired,
        "startedAt": iso(row.started_at),
        "endsAt": iso_or_none(row.ends_at),
        "lastProgressAt": iso_or_none(row.last_progress_at),
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
