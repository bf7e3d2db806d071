"""The bank invariant under concurrent load, on SQLite and on PostgreSQL with several processes.

A seeded random mix of wallet credits and debits, inventory grants and revokes, mixed grants
followed by acks and, in the second mix, player merges and wallet migration batches, runs from
many threads, every request with its own idempotency key, some sent twice (racing, or later, as a
client does after a lost response). Afterwards the books must balance: every balance and quantity
equals the sum of its ledger rows and replays the ledger in id order without going negative,
every key applied at most once, and the totals equal a sequential model of the acknowledged
operations (a 409 debit or revoke changes nothing): per player, or per currency and item across
players when merges move holdings between them.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from kraty_admin import KratyAdmin, RetryConfig
from kraty_local.store.schema import (
    idempotency_keys,
    inventory,
    inventory_ledger,
    players,
    wallet_ledger,
    wallets,
)
from tests._http import http_lib

from .conftest import Cluster

SEED = 20261125
OPERATIONS = 300
THREADS = 16
PLAYERS = ["ann", "bob", "cy"]
CURRENCIES = ["gold", "gems"]
ITEMS = ["sword", "health_potion"]
RESEND_SHARE = 0.25
Holding = tuple[str, str, str]  # (table, player, currency or item key)


@dataclass(frozen=True)
class Change:
    """One direct wallet or inventory change."""

    key: str
    table: str  # "wallets" | "inventory"
    player: str
    target: str
    delta: int

    @property
    def path(self) -> str:
        """The endpoint."""
        if self.table == "wallets":
            verb = "credit" if self.delta > 0 else "debit"
            return f"/players/{self.player}/wallet/{self.target}/{verb}"
        verb = "grant" if self.delta > 0 else "revoke"
        return f"/players/{self.player}/inventory/{self.target}/{verb}"

    @property
    def body(self) -> dict[str, Any]:
        """The request body; ``sourceRefId`` tags the ledger row with the key."""
        amount = "amount" if self.table == "wallets" else "quantity"
        return {amount: abs(self.delta), "idempotencyKey": self.key, "sourceRefId": self.key}


@dataclass(frozen=True)
class MixedGrant:
    """A grant of several currency and item entries, then its ack."""

    key: str
    player: str
    entries: tuple[tuple[str, str, int], ...]  # (table, key, amount)
    resend: bool

    def body(self) -> dict[str, Any]:
        """The create body."""
        entries = [
            {"type": "currency", "currencyKey": k, "amount": n}
            if table == "wallets"
            else {"type": "item", "itemKey": k, "quantity": n}
            for table, k, n in self.entries
        ]
        return {"idempotencyKey": self.key, "entries": entries, "sourceRefId": self.key}


@dataclass(frozen=True)
class Merge:
    """Merge one player into another."""

    key: str
    source: str
    target: str


@dataclass(frozen=True)
class MigrationBatch:
    """Wallet migration rows ``(player, currency, amount)``, each keyed ``<key>-<index>``."""

    key: str
    rows: tuple[tuple[str, str, int], ...]

    def body(self) -> dict[str, Any]:
        """The request body."""
        return {
            "rows": [
                {
                    "externalPlayerId": player,
                    "economyKey": currency,
                    "amount": amount,
                    "idempotencyKey": f"{self.key}-{i}",
                }
                for i, (player, currency, amount) in enumerate(self.rows)
            ]
        }


class Bank:
    """Sends requests round robin over the cluster and records every final answer."""

    def __init__(self, cluster: Cluster, http: http_lib.Client) -> None:
        """Bind to the servers."""
        self.cluster = cluster
        self.http = http
        self.answers: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        self.changes: dict[str, Change] = {}
        self.batches: dict[str, MigrationBatch] = {}
        self.acked: dict[str, MixedGrant] = {}  # grant id -> the grant
        self.busy = 0  # 503 answers (retried)
        self._lock = threading.Lock()

    def post(
        self,
        path: str,
        body: dict[str, Any],
        key: str | None = None,
        *,
        surface: str = "/server/v1",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """POST like a client: retry 503 and lost connections with the same body and key.

        The answer is recorded under ``key`` (default: the body's ``idempotencyKey``). By default
        the backend calls ``/server/v1`` with the server key; ``surface`` and ``headers`` say
        otherwise.
        """
        auth = headers or {"Authorization": f"Bearer {self.cluster.api_key}"}
        for attempt in range(40):
            try:
                response = self.http.post(
                    f"{self.cluster.next_url()}{surface}{path}", json=body, headers=auth
                )
            except http_lib.TransportError:
                response = None
            if response is not None and response.status_code != 503:
                answer = (response.status_code, response.json())
                with self._lock:
                    self.answers[key or body["idempotencyKey"]].append(answer)
                return answer
            if response is not None:
                with self._lock:
                    self.busy += 1
            time.sleep(0.02 * min(attempt + 1, 10))
        raise AssertionError(f"no answer for {path} after 40 attempts")

    def change(self, change: Change) -> None:
        """One direct change."""
        with self._lock:
            self.changes[change.key] = change
        self.post(change.path, change.body)

    def grant_and_ack(self, grant: MixedGrant) -> None:
        """Create, optionally re-send the create, ack, optionally re-send the ack."""
        status, created = self.post(f"/players/{grant.player}/grants", grant.body())
        assert status == 201, created
        grant_id = created["data"]["id"]
        ack_path = f"/players/{grant.player}/grants/{grant_id}/ack"
        ack_body = {"idempotencyKey": f"{grant.key}-ack"}
        if grant.resend:
            assert self.post(f"/players/{grant.player}/grants", grant.body()) == (201, created)
        status, acked = self.post(ack_path, ack_body)
        if status == 404:  # merged away meanwhile: the grant now belongs to the merge target
            return
        assert status == 200, acked
        assert acked["data"]["status"] == "claimed"
        if grant.resend:
            assert self.post(ack_path, ack_body) == (200, acked)
        with self._lock:
            self.acked[grant_id] = grant

    def merge(self, merge: Merge) -> None:
        """Merge (404 when the source id is free at that moment)."""
        path = f"/players/{merge.source}/merge-into/{merge.target}"
        status, answer = self.post(path, {"idempotencyKey": merge.key})
        assert status in (200, 404), answer

    def migrate(self, batch: MigrationBatch) -> None:
        """A wallet migration batch, sometimes twice."""
        with self._lock:
            self.batches[batch.key] = batch
        status, answer = self.post("/migrate/wallet", batch.body(), key=batch.key)
        assert status == 200, answer


def _plan(rng: random.Random, *, merges: bool) -> list[Callable[[Bank], None]]:
    tasks: list[Callable[[Bank], None]] = []
    for n in range(OPERATIONS):
        key = f"op-{n}"
        player = rng.choice(PLAYERS)
        roll = rng.random()
        if merges and roll < 0.04:
            merge = Merge(key, player, rng.choice([p for p in PLAYERS if p != player]))
            tasks.append(lambda bank, merge=merge: bank.merge(merge))
            continue
        if merges and roll < 0.12:
            rows = tuple(
                (rng.choice(PLAYERS), rng.choice(CURRENCIES), rng.randint(1, 40))
                for _ in range(rng.randint(1, 4))
            )
            batch = MigrationBatch(key, rows)
            tasks.append(lambda bank, batch=batch: bank.migrate(batch))
            if rng.random() < RESEND_SHARE:
                tasks.insert(rng.randint(0, len(tasks)), lambda bank, b=batch: bank.migrate(b))
            continue
        if roll < 0.3:
            entries = tuple(
                ("wallets", rng.choice(CURRENCIES), rng.randint(1, 30))
                if rng.random() < 0.5
                else ("inventory", rng.choice(ITEMS), rng.randint(1, 3))
                for _ in range(rng.randint(2, 4))
            )
            grant = MixedGrant(key, player, entries, resend=rng.random() < RESEND_SHARE)
            tasks.append(lambda bank, grant=grant: bank.grant_and_ack(grant))
            continue
        if roll < 0.6:
            change = Change(key, "wallets", player, rng.choice(CURRENCIES), rng.randint(1, 50))
        else:
            change = Change(key, "inventory", player, rng.choice(ITEMS), rng.randint(1, 5))
        if rng.random() < 0.45:
            change = Change(key, change.table, player, change.target, -change.delta - 10)
        tasks.append(lambda bank, change=change: bank.change(change))
        if rng.random() < RESEND_SHARE:  # the same request again, racing or later
            tasks.insert(rng.randint(0, len(tasks)), lambda bank, c=change: bank.change(c))
    return tasks


BOOKS = {
    "wallets": (wallets, wallet_ledger, "economy_key", "balance", "balance_after"),
    "inventory": (inventory, inventory_ledger, "item_key", "quantity", "quantity_after"),
}


def audit_books(engine: Engine) -> tuple[dict[Holding, int], Counter[str], Counter[str]]:
    """Every holding, checked against its ledger; ledger rows per ``sourceRefId`` and per grant.

    Replaying each ledger in id order must give every row's ``*_after`` value, never negative,
    and end at the holding's value.
    """
    held: dict[Holding, int] = {}
    per_ref: Counter[str] = Counter()
    per_grant: Counter[str] = Counter()
    with engine.connect() as conn:
        external = dict(conn.execute(select(players.c.id, players.c.external_player_id)).all())
        for name, (table, ledger, key_col, amount_col, after_col) in BOOKS.items():
            running: Counter[Holding] = Counter()
            for row in conn.execute(select(ledger).order_by(ledger.c.id)).mappings():
                holding = (name, external[row["player_id"]], row[key_col])
                running[holding] += row["delta"]
                assert running[holding] == row[after_col] >= 0, holding
                if row["grant_id"] is None:
                    per_ref[row["source_ref_id"]] += 1
                else:
                    per_grant[row["grant_id"]] += 1
            for row in conn.execute(select(table)).mappings():
                holding = (name, external[row["player_id"]], row[key_col])
                assert row[amount_col] == running[holding] >= 0, holding
                held[holding] = row[amount_col]
    return held, per_ref, per_grant


@pytest.mark.parametrize("merges", [False, True], ids=["direct", "merges-migration"])
def test_books_balance_under_concurrent_load(cluster: Cluster, merges: bool) -> None:
    tasks = _plan(random.Random(SEED), merges=merges)
    with http_lib.Client(timeout=60) as http:
        bank = Bank(cluster, http)
        for player in PLAYERS:  # migration rows need existing players
            bank.change(Change(f"open-{player}", "wallets", player, "gold", 100))
        with ThreadPoolExecutor(THREADS) as pool:
            for done in [pool.submit(task, bank) for task in tasks]:
                done.result()

    held, per_ref, per_grant = audit_books(cluster.engine)
    expected: Counter[Holding] = Counter()
    for key, change in bank.changes.items():
        answers = bank.answers[key]
        statuses = {status for status, _ in answers}
        assert len(statuses) == 1, (key, answers)
        if statuses == {200}:
            amount = "balance" if change.table == "wallets" else "quantity"
            assert len({body["data"][amount] for _, body in answers}) == 1, answers
            assert sum(body["data"]["applied"] for _, body in answers) <= 1, answers
            assert per_ref[key] == 1, key
            expected[(change.table, change.player, change.target)] += change.delta
        else:
            assert statuses == {409}, answers
            error = answers[0][1]["error"]
            assert error["code"] == "conflict"
            assert error["details"]["available"] < error["details"]["requested"]
            assert per_ref[key] == 0, key
    for grant_id, grant in bank.acked.items():
        assert per_grant[grant_id] == len(grant.entries), grant
        for table, target, amount in grant.entries:
            expected[(table, grant.player, target)] += amount
    for key, batch in bank.batches.items():
        outcomes = [body["data"] for _, body in bank.answers[key]]
        assert all(o["applied"] + o["skipped"] + o["failed"] == len(batch.rows) for o in outcomes)
        applied = [per_ref[f"{key}-{i}"] for i in range(len(batch.rows))]
        assert set(applied) <= {0, 1}, (key, applied)
        assert sum(o["applied"] for o in outcomes) == sum(applied), (key, outcomes)
        for (player, currency, amount), once in zip(batch.rows, applied, strict=True):
            expected[("wallets", player, currency)] += amount * once
    if merges:  # merges move holdings between players: compare totals per currency and item
        held = _across_players(held)
        expected = Counter(_across_players(expected))
    assert {h: v for h, v in held.items() if v} == {h: v for h, v in expected.items() if v}
    with cluster.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(idempotency_keys)).scalar_one()
    # one row per key sent, except batches (keyed per row) and 404s for a missing player (unstored)
    keyed = {k for k, a in bank.answers.items() if k not in bank.batches and a[0][0] != 404}
    assert stored == len(keyed)


def _across_players(amounts: dict[Holding, int]) -> dict[Holding, int]:
    totals: Counter[Holding] = Counter()
    for (table, _, key), amount in amounts.items():
        totals[(table, "*", key)] += amount
    return dict(totals)


def test_64_concurrent_duplicates_apply_once(cluster: Cluster) -> None:
    retry = RetryConfig(attempts=8, initial_delay=0.05, max_delay=2.0)
    clients = [
        KratyAdmin(api_key=cluster.api_key, base_url=url, retry=retry) for url in cluster.base_urls
    ]
    barrier = threading.Barrier(64)

    def credit(n: int) -> dict[str, Any]:
        barrier.wait()
        client = clients[n % len(clients)]
        return dict(
            client.wallet.credit(
                "dup", "gold", amount=7, idempotency_key="one-key", source_ref_id="one-key"
            )
        )

    try:
        with ThreadPoolExecutor(64) as pool:
            results = list(pool.map(credit, range(64)))
    finally:
        for client in clients:
            client.close()

    assert {(r["economyKey"], r["balance"]) for r in results} == {("gold", 7)}
    assert sum(r["applied"] for r in results) == 1
    held, per_ref, _ = audit_books(cluster.engine)
    assert per_ref["one-key"] == 1
    assert held[("wallets", "dup", "gold")] == 7
