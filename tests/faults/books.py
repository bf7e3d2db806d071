"""Fulfilments as a studio sends them, a driver that re-drives what failed, and the audit.

A fulfilment is one purchase receipt: its id is the idempotency key and the ``sourceRefId`` of
every call it makes, so each ledger row says which receipt caused it. The audit reads the store
tables and reports (rather than asserts) every way the books disagree with the plan, so the
negative controls can show it notices a double apply or a lost write.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, TypeVar

from sqlalchemy import Engine, select

from kraty_admin import KratyAdmin, KratyNetworkError, KratyServerError
from kraty_admin.types import CurrencyEntry, GrantEntry, ItemEntry
from kraty_local.store.schema import (
    grants,
    inventory,
    inventory_ledger,
    players,
    wallet_ledger,
    wallets,
)

T = TypeVar("T")
Book = Literal["wallet", "inventory"]
Kind = Literal["credit", "debit", "overdraft", "item", "grant"]
Holding = tuple[str, Book, str]  # (external player id, book, currency or item key)

CURRENCIES = ["gold", "gems"]
ITEMS = ["health_potion", "sword"]
#: Answers a studio retries later, as the SDK does (the SDK gave up after its own attempts).
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_REDRIVES = 30


@dataclass(frozen=True)
class Entry:
    """One change to one holding: ``delta`` of currency or item ``key`` in ``book``."""

    book: Book
    key: str
    delta: int

    def wire(self) -> GrantEntry:
        """As a grant entry."""
        if self.book == "wallet":
            return CurrencyEntry(type="currency", currencyKey=self.key, amount=self.delta)
        return ItemEntry(type="item", itemKey=self.key, quantity=self.delta)


@dataclass(frozen=True)
class Fulfilment:
    """One receipt: a credit, a debit, a debit that must be refused, an item or a grant + ack."""

    receipt: str
    player: str
    kind: Kind
    entries: tuple[Entry, ...]

    @property
    def intended(self) -> tuple[Entry, ...]:
        """The effect it must have once: none for an overdraft (refused with 409)."""
        return () if self.kind == "overdraft" else self.entries


def make_plan(rng: random.Random, *, players: int, count: int) -> list[Fulfilment]:
    """``count`` fulfilments over ``players`` players; debits stay within what the player's
    earlier fulfilments gave, overdrafts ask for one more than that."""
    names = [f"player-{n:02d}" for n in range(players)]
    balance: Counter[tuple[str, str]] = Counter()
    plan = []
    for n in range(count):
        player = rng.choice(names)
        roll = rng.random()
        currency = rng.choice(CURRENCIES)
        have = balance[(player, currency)]
        if roll < 0.15:
            kind: Kind = "debit" if have else "overdraft"
            entries: tuple[Entry, ...] = (Entry("wallet", currency, -rng.randint(1, have or 1)),)
        elif roll < 0.20:
            kind, entries = "overdraft", (Entry("wallet", currency, -(have + 1)),)
        elif roll < 0.40:
            kind, entries = "item", (Entry("inventory", rng.choice(ITEMS), rng.randint(1, 3)),)
        elif roll < 0.65:
            kind = "grant"
            entries = tuple(
                Entry("wallet", rng.choice(CURRENCIES), rng.randint(1, 100))
                if rng.random() < 0.5
                else Entry("inventory", rng.choice(ITEMS), rng.randint(1, 3))
                for _ in range(rng.randint(1, 3))
            )
        else:
            kind, entries = "credit", (Entry("wallet", currency, rng.randint(1, 100)),)
        for entry in entries if kind != "overdraft" else ():
            if entry.book == "wallet":
                balance[(player, entry.key)] += entry.delta
        plan.append(Fulfilment(f"receipt-{n:04d}", player, kind, entries))
    return plan


# --- driving ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """How one fulfilment ended, from the studio's side."""

    answers: list[dict[str, Any]] = field(default_factory=list)  # the final answer of each call
    refused: KratyServerError | None = None  # the overdraft's 409
    redrives: int = 0  # calls that raised after the SDK's own retries and were sent again


def redrive(call: Callable[[], T], outcome: Outcome) -> T:
    """``call()`` until it gives a final answer: what raised for a transient reason (network,
    503, 5xx...) is sent again with the same arguments, so the same idempotency key."""
    for _ in range(MAX_REDRIVES):
        try:
            return call()
        except KratyNetworkError:
            pass
        except KratyServerError as err:
            if err.status not in TRANSIENT_STATUSES:
                raise
        outcome.redrives += 1
    raise AssertionError(f"no final answer after {MAX_REDRIVES} re-drives")


def fulfil(client: KratyAdmin, f: Fulfilment) -> Outcome:
    """Send one fulfilment through the SDK, re-driving until it is done."""
    out = Outcome()
    key, player = f.receipt, f.player
    if f.kind == "grant":
        entries = [e.wire() for e in f.entries]
        created = redrive(
            lambda: client.grants.create(player, key, entries, source_ref_id=key), out
        )
        acked = redrive(lambda: client.grants.ack(player, created["id"], idempotency_key=key), out)
        out.answers += [dict(created), dict(acked)]
        return out
    (entry,) = f.entries
    ids = {"source_ref_id": key, "idempotency_key": key}
    call: Callable[[], Any]
    if f.kind == "item":
        call = partial(client.inventory.grant, player, entry.key, quantity=entry.delta, **ids)
    elif f.kind == "credit":
        call = partial(client.wallet.credit, player, entry.key, entry.delta, **ids)
    else:
        call = partial(client.wallet.debit, player, entry.key, -entry.delta, **ids)
    try:
        out.answers.append(dict(redrive(call, out)))
    except KratyServerError as err:
        if f.kind != "overdraft" or err.status != 409 or not err.is_conflict:
            raise
        out.refused = err
    return out


# --- the audit -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    """One ledger row of either book."""

    id: int
    book: Book
    player: str
    key: str
    delta: int
    after: int
    source_ref_id: str | None
    grant_id: str | None


@dataclass(frozen=True)
class GrantRow:
    """One grant: its receipt, status and entries."""

    id: str
    player: str
    source_ref_id: str | None
    status: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Books:
    """What the store holds: holdings, both ledgers and the grants."""

    holdings: dict[Holding, int]
    ledger: list[LedgerRow]
    grants: list[GrantRow]


_BOOKS: dict[Book, tuple[Any, Any, str, str, str]] = {
    "wallet": (wallets, wallet_ledger, "economy_key", "balance", "balance_after"),
    "inventory": (inventory, inventory_ledger, "item_key", "quantity", "quantity_after"),
}


def read_books(engine: Engine) -> Books:
    """Read every holding, ledger row and grant (external player ids, not row ids)."""
    holdings: dict[Holding, int] = {}
    ledger: list[LedgerRow] = []
    with engine.connect() as conn:
        external = dict(conn.execute(select(players.c.id, players.c.external_player_id)).all())
        for book, (table, log, key_col, amount_col, after_col) in _BOOKS.items():
            for row in conn.execute(select(table)).mappings():
                holdings[(external[row["player_id"]], book, row[key_col])] = row[amount_col]
            ledger += [
                LedgerRow(
                    row["id"],
                    book,
                    external[row["player_id"]],
                    row[key_col],
                    row["delta"],
                    row[after_col],
                    row["source_ref_id"],
                    row["grant_id"],
                )
                for row in conn.execute(select(log).order_by(log.c.id)).mappings()
            ]
        grant_rows = [
            GrantRow(
                row["id"],
                external[row["player_id"]],
                row["source_ref_id"],
                row["status"],
                tuple(_entry(e) for e in row["contents"]["entries"]),
            )
            for row in conn.execute(select(grants)).mappings()
        ]
    return Books(holdings, ledger, grant_rows)


def _entry(wire: dict[str, Any]) -> Entry:
    if wire["type"] == "currency":
        return Entry("wallet", wire["currencyKey"], wire["amount"])
    return Entry("inventory", wire["itemKey"], wire["quantity"])


def audit_consistency(books: Books) -> list[str]:
    """What holds whatever was sent: each ledger replayed in id order gives every row's
    running value, never negative, and ends at the holding; a grant's ledger rows are all of
    its entries if it is claimed and none if it is not (no partial grant)."""
    findings = []
    running: Counter[Holding] = Counter()
    for row in books.ledger:
        holding = (row.player, row.book, row.key)
        running[holding] += row.delta
        if running[holding] != row.after or row.after < 0:
            findings.append(
                f"{holding}: ledger row {row.id} says {row.after}, replay gives {running[holding]}"
            )
    for holding in set(running) | set(books.holdings):
        held = books.holdings.get(holding, 0)
        if held != running[holding] or held < 0:
            findings.append(f"{holding}: holds {held}, its ledger replays to {running[holding]}")
    rows_of_grant = _group((r.grant_id, _signed(r)) for r in books.ledger if r.grant_id)
    for grant in books.grants:
        applied = sorted(rows_of_grant.get(grant.id, []))
        expected = sorted(_as_key(grant.player, e) for e in grant.entries)
        if applied != (expected if grant.status == "claimed" else []):
            findings.append(
                f"grant {grant.id} ({grant.status}) of {grant.source_ref_id}: "
                f"ledger has {applied}, entries are {expected}"
            )
    return findings


def audit_exactly_once(
    books: Books, plan: Iterable[Fulfilment], *, uncertain: frozenset[str] = frozenset()
) -> list[str]:
    """Each planned fulfilment had its intended effect exactly once and nothing else happened.

    Per receipt: exactly the intended ledger rows, directly or through exactly one claimed
    grant; no ledger row or grant for a receipt outside the plan; every holding equals the sum
    of the intended effects. A receipt in ``uncertain`` (its answer never came) may instead have
    had no effect at all (or, for a grant, be minted and still pending), never a part or twice.
    """
    findings = audit_consistency(books)
    direct = _group((r.source_ref_id, _signed(r)) for r in books.ledger if r.grant_id is None)
    grant_rows = _group((r.grant_id, _signed(r)) for r in books.ledger if r.grant_id)
    grants_of = _group((g.source_ref_id, g) for g in books.grants)
    expected: Counter[Holding] = Counter()
    planned = set()
    for f in plan:
        planned.add(f.receipt)
        intended = sorted(_as_key(f.player, e) for e in f.intended)
        if f.kind == "grant":
            made = grants_of.get(f.receipt, [])
            effects = [sorted(grant_rows.get(g.id, [])) for g in made]
            done = len(made) == 1 and made[0].status == "claimed" and effects == [intended]
            not_yet = len(made) <= 1 and effects in ([], [[]]) and f.receipt in uncertain
            if f.receipt in direct:
                findings.append(f"{f.receipt}: direct rows {direct[f.receipt]} beside its grant")
        else:
            effects = [sorted(direct.get(f.receipt, []))]
            done = effects == [intended]
            not_yet = effects == [[]] and f.receipt in uncertain
        if done:
            for player, book, key, delta in intended:
                expected[(player, book, key)] += delta
        elif not not_yet:
            findings.append(f"{f.receipt} ({f.kind}): ledger has {effects}, want {intended}")
    strays = (set(direct) | set(grants_of)) - planned
    findings += [f"{ref}: ledger rows or grants for a receipt nobody sent" for ref in strays]
    held = {h: v for h, v in books.holdings.items() if v}
    want = {h: v for h, v in expected.items() if v}
    for holding in sorted(set(held) | set(want)):
        if held.get(holding, 0) != want.get(holding, 0):
            findings.append(
                f"{holding}: holds {held.get(holding, 0)}, the plan gives {want.get(holding, 0)}"
            )
    return findings


K = TypeVar("K")
V = TypeVar("V")


def _group(pairs: Iterable[tuple[K, V]]) -> dict[K, list[V]]:
    grouped: defaultdict[K, list[V]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return dict(grouped)


def _signed(row: LedgerRow) -> tuple[str, Book, str, int]:
    return (row.player, row.book, row.key, row.delta)


def _as_key(player: str, entry: Entry) -> tuple[str, Book, str, int]:
    return (player, entry.book, entry.key, entry.delta)
