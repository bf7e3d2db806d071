"""Applying a checked seed (:mod:`kraty_local.seed`) in the caller's transaction.

What a seed does to a database that already holds state:

- players are created, or updated: ``identity`` and ``country`` are set when the entry gives them
  (``null`` clears), left alone when it omits them;
- each listed wallet balance and item quantity is *set* to the described value through one ledger
  row of the difference (``source_kind`` ``seed``, the seed's ``reason``), so
  ``balance == sum(ledger)`` holds; holdings the entry does not list are left alone;
- friendships, pending requests and blocks are added when missing (a time given for an existing
  one replaces its time); a friendship settles pending requests between the pair (``accepted``),
  and a block removes any friendship or request between the pair, as the API's own actions do;
- a friendship or request across an existing block, a request between existing friends, or one
  crossing an existing pending request is a :class:`SeedError`: nothing is applied.

No webhook is emitted (like migration); one audit row records the counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, and_, bindparam, or_, select

from kraty_local.seed.errors import SeedError
from kraty_local.seed.model import DEFAULT_REASON, KEEP, Seed, SeedPlayer
from kraty_local.services.context import OpContext, new_id
from kraty_local.services.holdings import INVENTORY, WALLET, HoldingKind, create_missing_holdings
from kraty_local.services.players import new_player_row
from kraty_local.store.queries import insert_ignore_many
from kraty_local.store.schema import blocks, friend_requests, friends, players

SOURCE_KIND = "seed"
#: How many ids one ``IN (...)`` lookup carries.
_CHUNK = 500

T = TypeVar("T")


@dataclass(frozen=True)
class SeedReport:
    """What a seed changed: counts of rows created, set or added."""

    game_id: str
    players_created: int = 0
    players_updated: int = 0
    wallet_changes: int = 0
    item_changes: int = 0
    friendships_added: int = 0
    friend_requests_added: int = 0
    blocks_added: int = 0
    social_rows_removed: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The counts by name (also the audit row's details)."""
        return asdict(self)

    def summary(self) -> str:
        """One line for people."""
        return (
            f"{self.game_id}: {self.players_created} player(s) created, "
            f"{self.players_updated} updated; {self.wallet_changes} balance(s) and "
            f"{self.item_changes} item quantity(ies) changed; {self.friendships_added} "
            f"friendship(s), {self.friend_requests_added} request(s), {self.blocks_added} "
            f"block(s) added; {self.social_rows_removed} social row(s) removed or settled"
        )


def apply_seed(ctx: OpContext, seed: Seed) -> SeedReport:
    """Write ``seed`` (already checked against ``ctx.world``) into ``ctx.game``."""
    ids, created = _upsert_players(ctx, seed.players)
    reason = seed.reason or DEFAULT_REASON
    wallet_changes = _set_holdings(ctx, WALLET, _targets(seed.players, ids, "wallet"), reason)
    item_changes = _set_holdings(ctx, INVENTORY, _targets(seed.players, ids, "items"), reason)
    social = _Social(ctx, ids)
    social.add_friendships(seed)
    social.add_requests(seed)
    social.add_blocks(seed)
    if social.problems:
        raise SeedError(social.problems)
    report = SeedReport(
        game_id=ctx.game.id,
        players_created=created,
        players_updated=len(seed.players) - created,
        wallet_changes=wallet_changes,
        item_changes=item_changes,
        friendships_added=social.friendships_added,
        friend_requests_added=social.requests_added,
        blocks_added=social.blocks_added,
        social_rows_removed=social.removed,
    )
    ctx.audit("seed.applied", None, report.as_dict())
    return report


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _live_ids(ctx: OpContext, external_ids: Sequence[str], *, lock: bool) -> dict[str, str]:
    """``{external id: row id}`` of the live players among ``external_ids`` (locked in id order)."""
    found: dict[str, str] = {}
    for chunk in _chunks(external_ids):
        query = (
            select(players.c.external_player_id, players.c.id)
            .where(
                players.c.game_id == ctx.game.id,
                players.c.external_player_id.in_(chunk),
                players.c.deleted_at.is_(None),
                players.c.merged_into_id.is_(None),
            )
            .order_by(players.c.id)
        )
        rows = ctx.conn.execute(query.with_for_update() if lock else query)
        found.update({str(external): str(row_id) for external, row_id in rows})
    return found


def _upsert_players(ctx: OpContext, entries: Sequence[SeedPlayer]) -> tuple[dict[str, str], int]:
    """Create missing players, update listed fields of existing ones; the ids and the count
    created."""
    external_ids = [p.external_player_id for p in entries]
    existing = _live_ids(ctx, external_ids, lock=True)
    fresh = [p for p in entries if p.external_player_id not in existing]
    inserted = insert_ignore_many(
        ctx.conn,
        players,
        [{**new_player_row(ctx, p.external_player_id), **_new_player_fields(p)} for p in fresh],
        ["game_id", "external_player_id"],
        ["id"],
    )
    for entry in entries:
        values = _player_fields(entry)
        if entry.external_player_id in existing and values:
            ctx.conn.execute(
                players.update()
                .where(players.c.id == existing[entry.external_player_id])
                .values(**values, updated_at=ctx.now)
            )
    ids = _live_ids(ctx, external_ids, lock=False)
    return ids, len(inserted)


def _new_player_fields(entry: SeedPlayer) -> dict[str, Any]:
    """Identity and country columns of a new player (every row of one insert has them all)."""
    return {"synthetic_name": None, "synthetic_avatar": None, "country": None} | _player_fields(
        entry
    )


def _player_fields(entry: SeedPlayer) -> dict[str, Any]:
    """The player columns the entry sets."""
    values: dict[str, Any] = {}
    if entry.identity is not KEEP:
        values["synthetic_name"] = None if entry.identity is None else entry.identity.name
        values["synthetic_avatar"] = None if entry.identity is None else entry.identity.avatar
    if entry.country is not KEEP:
        values["country"] = entry.country
    return values


def _targets(
    entries: Iterable[SeedPlayer], ids: dict[str, str], section: str
) -> dict[tuple[str, str], int]:
    """``{(player row id, key): value}`` of one holdings section."""
    return {
        (ids[p.external_player_id], key): amount
        for p in entries
        for key, amount in (p.wallet if section == "wallet" else p.items).items()
    }


def _set_holdings(
    ctx: OpContext, kind: HoldingKind, targets: dict[tuple[str, str], int], reason: str
) -> int:
    """Set each holding to its target with a ledger row of the difference; rows written."""
    if not targets:
        return 0
    table, key_column, amount_column = kind.table, kind.key_column, kind.amount_column
    create_missing_holdings(ctx, kind, targets)
    player_ids = sorted({player_id for player_id, _ in targets})
    keys = sorted({key for _, key in targets})
    current: list[tuple[str, str, str, int]] = []
    for chunk in _chunks(player_ids):
        rows = ctx.conn.execute(
            select(table.c.id, table.c.player_id, table.c[key_column], table.c[amount_column])
            .where(table.c.player_id.in_(chunk), table.c[key_column].in_(keys))
            .order_by(table.c.id)
            .with_for_update()
        )
        current.extend((str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows)
    updates, ledger = [], []
    for holding_id, player_id, key, value in current:
        target = targets.get((player_id, key))
        if target is None or target == value:
            continue
        updates.append({"b_id": holding_id, "b_amount": target, "b_now": ctx.now})
        ledger.append(
            {
                kind.ledger_fk: holding_id,
                "player_id": player_id,
                key_column: key,
                "delta": target - value,
                kind.ledger_after: target,
                "reason": reason,
                "source_kind": SOURCE_KIND,
                "source_ref_id": None,
                "grant_id": None,
                "actor": ctx.actor,
                "created_at": ctx.now,
            }
        )
    if updates:
        ctx.conn.execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values({amount_column: bindparam("b_amount"), "updated_at": bindparam("b_now")}),
            updates,
        )
        ctx.conn.execute(kind.ledger.insert(), ledger)
    return len(ledger)


def _between(table: Table, one: str, other: str, a: str, b: str) -> ColumnElement[bool]:
    """Rows of ``table`` linking ``a`` and ``b`` in either direction."""
    return or_(
        and_(table.c[one] == a, table.c[other] == b),
        and_(table.c[one] == b, table.c[other] == a),
    )


class _Social:
    """Adds the social rows of a seed, collecting conflicts with the database's state."""

    def __init__(self, ctx: OpContext, ids: dict[str, str]) -> None:
        self.ctx = ctx
        self.ids = ids
        self.problems: list[str] = []
        self.friendships_added = self.requests_added = self.blocks_added = self.removed = 0

    def _exists(self, where: ColumnElement[bool], table: Table) -> bool:
        return self.ctx.conn.execute(select(table.c.id).where(where).limit(1)).first() is not None

    def _blocked(self, a: str, b: str) -> bool:
        return self._exists(_between(blocks, "player_id", "blocked_player_id", a, b), blocks)

    def add_friendships(self, seed: Seed) -> None:
        conn, now = self.ctx.conn, self.ctx.now
        for index, friendship in enumerate(seed.friendships):
            where = f"friendships[{index}] {friendship.first!r} & {friendship.second!r}"
            a, b = self.ids[friendship.first], self.ids[friendship.second]
            if self._blocked(a, b):
                self.problems.append(f"{where}: one has blocked the other in the database")
                continue
            link = _between(friends, "player_id", "friend_player_id", a, b)
            if not self._exists(link, friends):
                conn.execute(
                    friends.insert().values(
                        player_id=a, friend_player_id=b, created_at=friendship.since or now
                    )
                )
                self.friendships_added += 1
            elif friendship.since is not None:
                conn.execute(friends.update().where(link).values(created_at=friendship.since))
            self.removed += conn.execute(
                friend_requests.update()
                .where(
                    _between(friend_requests, "from_player_id", "to_player_id", a, b),
                    friend_requests.c.status == "pending",
                )
                .values(status="accepted", updated_at=now)
            ).rowcount

    def add_requests(self, seed: Seed) -> None:
        conn, now = self.ctx.conn, self.ctx.now
        for index, request in enumerate(seed.friend_requests):
            where = f"friendRequests[{index}] {request.sender!r} -> {request.recipient!r}"
            sender, recipient = self.ids[request.sender], self.ids[request.recipient]
            if self._blocked(sender, recipient):
                self.problems.append(f"{where}: one has blocked the other in the database")
                continue
            if self._exists(
                _between(friends, "player_id", "friend_player_id", sender, recipient), friends
            ):
                self.problems.append(f"{where}: they are already friends in the database")
                continue
            reverse = conn.execute(
                select(friend_requests.c.id).where(
                    friend_requests.c.from_player_id == recipient,
                    friend_requests.c.to_player_id == sender,
                    friend_requests.c.status == "pending",
                )
            ).first()
            if reverse is not None:
                self.problems.append(
                    f"{where}: {request.recipient!r} already asked {request.sender!r} in the "
                    "database; seed a friendship instead"
                )
                continue
            mine = (
                friend_requests.c.from_player_id == sender,
                friend_requests.c.to_player_id == recipient,
            )
            status = conn.execute(select(friend_requests.c.status).where(*mine)).scalar()
            if status is None:
                at = request.created_at or now
                conn.execute(
                    friend_requests.insert().values(
                        id=new_id(),
                        from_player_id=sender,
                        to_player_id=recipient,
                        status="pending",
                        created_at=at,
                        updated_at=at,
                    )
                )
                self.requests_added += 1
            elif status != "pending" or request.created_at is not None:
                values: dict[str, Any] = {"status": "pending", "updated_at": now}
                if status != "pending":
                    values["created_at"] = request.created_at or now
                    self.requests_added += 1
                else:
                    values["created_at"] = request.created_at
                conn.execute(friend_requests.update().where(*mine).values(**values))

    def add_blocks(self, seed: Seed) -> None:
        conn, now = self.ctx.conn, self.ctx.now
        for block in seed.blocks:
            a, b = self.ids[block.player], self.ids[block.blocked]
            inserted = insert_ignore_many(
                conn,
                blocks,
                [{"player_id": a, "blocked_player_id": b, "created_at": block.blocked_at or now}],
                ["player_id", "blocked_player_id"],
                ["id"],
            )
            if inserted:
                self.blocks_added += 1
            elif block.blocked_at is not None:
                conn.execute(
                    blocks.update()
                    .where(blocks.c.player_id == a, blocks.c.blocked_player_id == b)
                    .values(created_at=block.blocked_at)
                )
            self.removed += conn.execute(
                friends.delete().where(_between(friends, "player_id", "friend_player_id", a, b))
            ).rowcount
            self.removed += conn.execute(
                friend_requests.delete().where(
                    _between(friend_requests, "from_player_id", "to_player_id", a, b)
                )
            ).rowcount
