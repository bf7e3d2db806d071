"""Grants: create (an inbox item) and server-side ack (contract section 4, Grants).

Acking applies every entry in one transaction: currency to the wallet, items to the inventory
(each with a ledger row), and each crate entry becomes a pending child grant of kind ``crate``
holding what its loot table rolled. Any failure rolls back all of them. The holdings are locked
up front in the global order of :func:`~kraty_local.services.holdings.lock_holdings`, so acks of
grants listing the same keys in different orders cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select

from kraty_local.domain.errors import Conflict, InvalidMetric, NotFound
from kraty_local.services.context import OpContext, new_id
from kraty_local.services.holdings import (
    INVENTORY,
    WALLET,
    HoldingKind,
    change_holding,
    lock_holdings,
)
from kraty_local.services.players import PlayerRef, ensure_player, require_player
from kraty_local.store.schema import grants
from kraty_local.timefmt import iso, iso_or_none
from kraty_local.wire import Grant
from kraty_local.world import Crate

ACKED_BY_SERVER = "server_api"
#: ``ackedBy`` of grants the player's client claimed or opened (``/sdk/v1``).
ACKED_BY_CLIENT = "client_sdk"


def create(
    ctx: OpContext,
    external_player_id: str,
    *,
    entries: Sequence[dict[str, Any]],
    kind: str,
    expires_at: datetime | None,
    source_kind: str,
    source_ref_id: str | None,
    metadata: dict[str, Any] | None,
) -> Grant:
    """Store a pending grant; ``400 invalid_metric`` when an entry names an unknown key."""
    _check_catalog(ctx, entries)
    player = ensure_player(ctx, external_player_id)
    grant_id = _insert(
        ctx,
        player,
        kind=kind,
        contents={"entries": list(entries)},
        source_kind=source_kind,
        source_ref_id=source_ref_id,
        expires_at=expires_at,
        metadata=metadata,
    )
    ctx.audit("grant.create", player.id, {"grantId": grant_id, "sourceRefId": source_ref_id})
    return grant_view(ctx, _load(ctx, player, grant_id))


def ack(
    ctx: OpContext, external_player_id: str, grant_id: str, *, acked_by: str = ACKED_BY_SERVER
) -> Grant:
    """Claim a grant and apply it; claimed grants are returned unchanged.

    The player's client (``acked_by=ACKED_BY_CLIENT``) cannot claim a crate: it opens it
    (:func:`open_crate`), a decided ``409 conflict``.
    """
    player = require_player(ctx, external_player_id)
    row = _load(ctx, player, grant_id)
    if acked_by == ACKED_BY_CLIENT and row.kind == "crate":
        raise Conflict(
            f"Grant {grant_id!r} is a crate: open it instead.", {"grantId": grant_id}, decided=True
        )
    if row.status == "claimed":
        return grant_view(ctx, row)
    _refuse_expired(ctx, row)
    lock_holdings(ctx, player, _holdings(row.contents["entries"]))
    for entry in row.contents["entries"]:
        _apply(ctx, player, row, entry)
    ctx.conn.execute(
        grants.update()
        .where(grants.c.id == grant_id, grants.c.status == "pending")
        .values(status="claimed", claimed_at=ctx.now, acked_by=acked_by)
    )
    return _claimed(ctx, player, grant_id, acked_by)


def open_crate(ctx: OpContext, external_player_id: str, grant_id: str) -> dict[str, Grant]:
    """The client opens a crate grant: it is claimed, and a new pending ``reward`` grant
    (``sourceKind: "crate"``) holds what it rolled: the rolls made when the crate was created,
    and a roll per unit of any crate entry it names. Opening an opened crate answers the same
    pair again; a grant that is not a crate, or has expired, is a decided ``409 conflict``."""
    player = require_player(ctx, external_player_id)
    row = _load(ctx, player, grant_id)
    if row.kind != "crate":
        raise Conflict(
            f"Grant {grant_id!r} is not a crate: claim it instead.",
            {"grantId": grant_id},
            decided=True,
        )
    if row.status == "claimed":
        contents = ctx.conn.execute(
            select(grants)
            .where(grants.c.parent_grant_id == grant_id, grants.c.source_kind == "crate")
            .order_by(grants.c.created_at, grants.c.id)
        ).first()
        if contents is not None:
            return {"crate": grant_view(ctx, row), "contents": grant_view(ctx, contents)}
    _refuse_expired(ctx, row)
    rolled: list[dict[str, Any]] = []
    for entry in row.contents.get("entries", []):
        crate = ctx.game.catalog.crates.get(entry.get("crateItemKey", ""))
        if entry["type"] == "crate" and crate is not None:
            rolled.extend(_roll(ctx, crate, entry["quantity"], grant_id))
        else:
            rolled.append(entry)
    contents_id = _insert(
        ctx,
        player,
        kind="reward",
        contents={"entries": rolled, "parentGrantId": grant_id},
        source_kind="crate",
        source_ref_id=row.source_ref_id,
        expires_at=None,
        metadata=None,
        parent_grant_id=grant_id,
        rolled_at=ctx.now,
    )
    ctx.conn.execute(
        grants.update()
        .where(grants.c.id == grant_id)
        .values(status="claimed", claimed_at=ctx.now, acked_by=ACKED_BY_CLIENT)
    )
    crate_view = _claimed(ctx, player, grant_id, ACKED_BY_CLIENT)
    return {"crate": crate_view, "contents": grant_view(ctx, _load(ctx, player, contents_id))}


def _refuse_expired(ctx: OpContext, row: Row[Any]) -> None:
    if _is_expired(ctx, row):
        raise Conflict(
            f"Grant {row.id!r} has expired.",
            {"grantId": row.id, "expiresAt": iso_or_none(row.expires_at)},
            decided=True,
        )


def _claimed(ctx: OpContext, player: PlayerRef, grant_id: str, acked_by: str) -> Grant:
    """The grant just marked claimed: its ``grant.claimed`` event and audit row."""
    claimed = grant_view(ctx, _load(ctx, player, grant_id))
    ctx.emit(
        "grant.claimed",
        {"playerId": player.id, "externalPlayerId": player.external_player_id, "grant": claimed},
    )
    ctx.audit("grant.ack", player.id, {"grantId": grant_id, "ackedBy": acked_by})
    return claimed


def _holdings(entries: Sequence[dict[str, Any]]) -> Iterator[tuple[HoldingKind, str]]:
    """The wallets and inventory rows that applying ``entries`` changes."""
    for entry in entries:
        if entry["type"] == "currency":
            yield WALLET, entry["currencyKey"]
        elif entry["type"] == "item":
            yield INVENTORY, entry["itemKey"]


def _check_catalog(ctx: OpContext, entries: Sequence[dict[str, Any]]) -> None:
    catalog = ctx.game.catalog
    problems = []
    for i, entry in enumerate(entries):
        kind = entry["type"]
        field, known = {
            "currency": ("currencyKey", catalog.currencies),
            "item": ("itemKey", catalog.items),
            "crate": ("crateItemKey", catalog.crates.keys()),
        }[kind]
        if entry[field] not in known:
            problems.append(
                {"field": f"entries.{i}.{field}", "message": f"Unknown {kind} {entry[field]!r}."}
            )
    if problems:
        raise InvalidMetric("A grant entry names an unknown catalog key.", problems)


def _insert(
    ctx: OpContext,
    player: PlayerRef,
    *,
    kind: str,
    contents: dict[str, Any],
    source_kind: str,
    source_ref_id: str | None,
    expires_at: datetime | None,
    metadata: dict[str, Any] | None,
    parent_grant_id: str | None = None,
    rolled_at: datetime | None = None,
) -> str:
    grant_id = new_id()
    ctx.conn.execute(
        grants.insert().values(
            id=grant_id,
            studio_id=ctx.game.studio_id,
            game_id=ctx.game.id,
            player_id=player.id,
            kind=kind,
            contents=contents,
            source_kind=source_kind,
            source_ref_id=source_ref_id,
            parent_grant_id=parent_grant_id,
            status="pending",
            rolled_at=rolled_at,
            expires_at=expires_at,
            created_at=ctx.now,
            metadata=metadata,
        )
    )
    created = grant_view(ctx, _load(ctx, player, grant_id))
    ctx.emit(
        "grant.created",
        {"playerId": player.id, "externalPlayerId": player.external_player_id, "grant": created},
    )
    return grant_id


def _apply(ctx: OpContext, player: PlayerRef, grant: Row[Any], entry: dict[str, Any]) -> None:
    common: dict[str, Any] = {
        "reason": f"grant:{grant.kind}",
        "source_kind": "grant",
        "source_ref_id": grant.source_ref_id,
        "grant_id": grant.id,
    }
    if entry["type"] == "currency":
        change_holding(ctx, WALLET, player, entry["currencyKey"], entry["amount"], **common)
    elif entry["type"] == "item":
        change_holding(
            ctx,
            INVENTORY,
            player,
            entry["itemKey"],
            entry["quantity"],
            parameters=entry.get("parameters"),
            **common,
        )
    else:
        crate = ctx.game.catalog.crates.get(entry["crateItemKey"])
        if crate is None:
            raise InvalidMetric(f"Unknown crate {entry['crateItemKey']!r}.")
        _insert(
            ctx,
            player,
            kind="crate",
            contents={
                "crateItemKey": crate.key,
                "quantity": entry["quantity"],
                "entries": _roll(ctx, crate, entry["quantity"], grant.id),
            },
            source_kind=grant.source_kind,
            source_ref_id=grant.source_ref_id,
            expires_at=None,
            metadata=None,
            parent_grant_id=grant.id,
            rolled_at=ctx.now,
        )


def _roll(ctx: OpContext, crate: Crate, times: int, salt: str) -> list[dict[str, Any]]:
    rng = ctx.rng(f"{salt}:{crate.key}")
    picks = rng.choices(crate.loot, weights=[e.weight for e in crate.loot], k=times)
    return [pick.as_entry() for pick in picks]


def _load(ctx: OpContext, player: PlayerRef, grant_id: str) -> Row[Any]:
    row = ctx.conn.execute(
        select(grants)
        .where(
            grants.c.id == grant_id,
            grants.c.player_id == player.id,
            grants.c.game_id == ctx.game.id,
        )
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"Unknown grant {grant_id!r} for this player.")
    return row


def _is_expired(ctx: OpContext, row: Row[Any]) -> bool:
    return row.status == "pending" and row.expires_at is not None and row.expires_at <= ctx.now


def grant_view(ctx: OpContext, row: Row[Any]) -> Grant:
    """A grant row as the wire shows it (a pending grant past ``expiresAt`` reads as expired)."""
    return {
        "id": row.id,
        "kind": row.kind,
        "contents": row.contents,
        "sourceKind": row.source_kind,
        "sourceRefId": row.source_ref_id,
        "parentGrantId": row.parent_grant_id,
        "status": "expired" if _is_expired(ctx, row) else row.status,
        "rolledAt": iso_or_none(row.rolled_at),
        "claimedAt": iso_or_none(row.claimed_at),
        "expiresAt": iso_or_none(row.expires_at),
        "createdAt": iso(row.created_at),
        "metadata": row._mapping["metadata"],
        "ackedBy": row.acked_by,
    }
