"""The state of one game's live players as a :class:`~kraty_local.seed.model.Seed`.

The export is what seeding reads, in a canonical order (players by id, keys sorted, social rows
by their player ids), so exporting, seeding into a fresh database and exporting again gives the
same document. Every holding row is listed, zeros included; a player's ``identity`` and
``country`` are listed when set. Pending requests only; a friendship stored as two rows is one
entry, with the earlier time. Erased and merged-away players are left out.

With ``only``, the export holds those players and the players they are linked to (friends,
requests and blocks in either direction), so the file stays self-contained.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, Table, select

from kraty_local.seed.model import (
    KEEP,
    Block,
    FriendRequest,
    Friendship,
    Identity,
    Seed,
    SeedPlayer,
)
from kraty_local.services.context import OpContext
from kraty_local.store.schema import (
    blocks,
    friend_requests,
    friends,
    inventory,
    players,
    wallets,
)

#: Each social table with its two player columns.
_LINKS = (
    (friends, "player_id", "friend_player_id"),
    (friend_requests, "from_player_id", "to_player_id"),
    (blocks, "player_id", "blocked_player_id"),
)


class UnknownPlayersError(LookupError):
    """``only`` names players this game does not have (``missing`` lists them)."""

    def __init__(self, missing: Sequence[str]) -> None:
        """Name the missing players."""
        self.missing = list(missing)
        super().__init__(f"unknown player(s): {', '.join(repr(m) for m in self.missing)}")


def export_seed(ctx: OpContext, only: Collection[str] | None = None) -> Seed:
    """The live players of ``ctx.game`` (or ``only`` and their links) and their social rows."""
    live = {
        str(row.id): row
        for row in ctx.conn.execute(
            select(players).where(
                players.c.game_id == ctx.game.id,
                players.c.deleted_at.is_(None),
                players.c.merged_into_id.is_(None),
            )
        )
    }
    if only is not None:
        live = _only(ctx, live, only)
    names = {row_id: str(row.external_player_id) for row_id, row in live.items()}
    wallet = _holdings(ctx, wallets, "economy_key", "balance", names)
    items = _holdings(ctx, inventory, "item_key", "quantity", names)
    pending = select(friend_requests).where(friend_requests.c.status == "pending")
    return Seed(
        game=ctx.game.id,
        players=tuple(
            SeedPlayer(
                external_player_id=names[row_id],
                identity=KEEP
                if row.synthetic_name is None
                else Identity(row.synthetic_name, row.synthetic_avatar),
                country=KEEP if row.country is None else row.country,
                wallet=wallet.get(row_id, {}),
                items=items.get(row_id, {}),
            )
            for row_id, row in live.items()
        ),
        friendships=_friendships(ctx, names),
        friend_requests=tuple(
            FriendRequest(names[r.from_player_id], names[r.to_player_id], r.created_at)
            for r in _among(ctx, pending, "from_player_id", "to_player_id", names)
        ),
        blocks=tuple(
            Block(names[r.player_id], names[r.blocked_player_id], r.created_at)
            for r in _among(ctx, select(blocks), "player_id", "blocked_player_id", names)
        ),
    ).normalized()


def _only(ctx: OpContext, live: dict[str, Row[Any]], only: Collection[str]) -> dict[str, Row[Any]]:
    """The players named in ``only`` and those linked to them."""
    by_external = {row.external_player_id: row_id for row_id, row in live.items()}
    missing = sorted(set(only) - set(by_external))
    if missing:
        raise UnknownPlayersError(missing)
    named = {by_external[external] for external in only}
    chosen = set(named)
    for table, one, other in _LINKS:
        for a, b in ctx.conn.execute(select(table.c[one], table.c[other])):
            if a in named:
                chosen.add(b)
            elif b in named:
                chosen.add(a)
    return {row_id: row for row_id, row in live.items() if row_id in chosen}


def _among(
    ctx: OpContext, query: Select[Any], one: str, other: str, names: dict[str, str]
) -> Iterator[Row[Any]]:
    """The rows of ``query`` whose two player columns both name exported players."""
    for row in ctx.conn.execute(query):
        if row._mapping[one] in names and row._mapping[other] in names:
            yield row


def _holdings(
    ctx: OpContext, table: Table, key: str, amount: str, names: dict[str, str]
) -> dict[str, dict[str, int]]:
    """``{player row id: {key: amount}}`` of the exported players."""
    found: dict[str, dict[str, int]] = {}
    for row in ctx.conn.execute(select(table.c.player_id, table.c[key], table.c[amount])):
        if row[0] in names:
            found.setdefault(row[0], {})[row[1]] = int(row[2])
    return found


def _friendships(ctx: OpContext, names: dict[str, str]) -> tuple[Friendship, ...]:
    """One entry per pair (however many rows store it), with the earliest time."""
    since: dict[frozenset[str], datetime] = {}
    for row in _among(ctx, select(friends), "player_id", "friend_player_id", names):
        pair = frozenset((names[row.player_id], names[row.friend_player_id]))
        if len(pair) < 2:  # a row linking a player to themselves describes no friendship
            continue
        since[pair] = min(since.get(pair, row.created_at), row.created_at)
    return tuple(Friendship(min(pair), max(pair), at) for pair, at in since.items())
