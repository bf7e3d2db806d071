"""The bank invariant when game clients spend while the backend pays, on SQLite and on
PostgreSQL with several processes (issue 14).

Game clients (``/sdk/v1``: the client key and each player's secret) debit currency, consume
items and claim grants, while the backend (``/server/v1``) credits, grants items and creates the
grants they claim, all at once from many threads, some requests sent twice under the same key
(racing, or later) and some grants claimed twice under different keys. Afterwards every holding
replays its ledger without going negative, every key applied at most once, every claimed grant
applied once, and the balances equal a sequential model of the acknowledged operations (a 409
debit or consume changes nothing). No answer is a 5xx (not even a 503 the client would retry),
and no transaction had to be run again after a deadlock.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from kraty_local.store.schema import inventory_ledger, wallet_ledger
from tests._http import http_lib

from .conftest import Cluster, run_concurrently, transient_retries
from .test_bank import Bank, Change, Holding, MixedGrant, audit_books

SEED = 20261207
OPERATIONS = 200
THREADS = 12
PLAYERS = ["ann", "bob"]
RESEND_SHARE = 0.25


@dataclass(frozen=True)
class Spend:
    """A game client's debit (``wallets``) or consume (``inventory``); ``reason`` tags its
    ledger row with the key."""

    key: str
    table: str
    player: str
    target: str
    units: int

    @property
    def path(self) -> str:
        """The endpoint, below the player."""
        if self.table == "wallets":
            return f"/players/{self.player}/wallet/{self.target}/debit"
        return f"/players/{self.player}/inventory/{self.target}/consume"

    @property
    def body(self) -> dict[str, Any]:
        """The request body."""
        amount = "amount" if self.table == "wallets" else "quantity"
        return {amount: self.units, "reason": self.key, "idempotencyKey": self.key}


class Game(Bank):
    """The backend's calls (``Bank``) and the players' game clients."""

    def __init__(self, cluster: Cluster, http: http_lib.Client) -> None:
        """Bind to the servers."""
        super().__init__(cluster, http)
        self.secrets: dict[str, str] = {}
        self.spends: dict[str, Spend] = {}

    def client_post(self, player: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """POST as the player's game client (retrying 503 like ``Bank.post``)."""
        headers = {"Authorization": f"Bearer {self.cluster.client_key}"}
        if player in self.secrets:
            headers["X-Player-Secret"] = self.secrets[player]
        return self.post(path, body, surface="/sdk/v1", headers=headers)

    def register(self, player: str) -> None:
        """Register the player's client and keep its secret."""
        status, answer = self.client_post(
            player, f"/players/{player}/register", {"idempotencyKey": f"reg-{player}"}
        )
        assert status == 201, answer
        self.secrets[player] = answer["data"]["secret"]

    def spend(self, spend: Spend) -> None:
        """A client debit or consume."""
        with self._lock:
            self.spends[spend.key] = spend
        status, answer = self.client_post(spend.player, spend.path, spend.body)
        assert status in (200, 409), answer

    def grant_and_claim(self, grant: MixedGrant) -> None:
        """The backend creates a grant; the client claims it (again, when resent, under the
        same key and under another one)."""
        status, created = self.post(f"/players/{grant.player}/grants", grant.body())
        assert status == 201, created
        grant_id = created["data"]["id"]
        claim = f"/players/{grant.player}/grants/{grant_id}/claim"
        keys = [f"{grant.key}-claim"] + (
            [f"{grant.key}-claim", f"{grant.key}-again"] if grant.resend else []
        )
        for key in keys:
            status, claimed = self.client_post(grant.player, claim, {"idempotencyKey": key})
            assert status == 200, claimed
            assert claimed["data"]["status"] == "claimed"
            assert claimed["data"]["ackedBy"] == "client_sdk"
        with self._lock:
            self.acked[grant_id] = grant


def _plan(rng: random.Random) -> list[Callable[[Game], None]]:
    tasks: list[Callable[[Game], None]] = []
    for n in range(OPERATIONS):
        key = f"op-{n}"
        player = rng.choice(PLAYERS)
        roll = rng.random()
        resend = rng.random() < RESEND_SHARE
        task: Callable[[Game], None]
        if roll < 0.15:
            entries = (
                ("wallets", "gold", rng.randint(1, 30)),
                ("inventory", "sword", rng.randint(1, 3)),
            )
            grant = MixedGrant(key, player, entries, resend=resend)
            tasks.append(lambda game, grant=grant: game.grant_and_claim(grant))
            continue
        table, target, most = ("wallets", "gold", 45) if roll < 0.7 else ("inventory", "sword", 4)
        units = rng.randint(1, most)
        if roll < 0.4:
            change = Change(key, table, player, target, units)
            task = lambda game, change=change: game.change(change)  # noqa: E731
        else:
            spend = Spend(key, table, player, target, units)
            task = lambda game, spend=spend: game.spend(spend)  # noqa: E731
        tasks.append(task)
        if resend:  # the same request again, racing or later
            tasks.insert(rng.randint(0, len(tasks)), task)
    return tasks


def _client_rows(engine: Engine) -> Counter[str]:
    """Client ledger rows per ``reason`` (the key of the spend)."""
    rows: Counter[str] = Counter()
    with engine.connect() as conn:
        for ledger in (wallet_ledger, inventory_ledger):
            query = (
                select(ledger.c.reason, func.count())
                .where(ledger.c.source_kind == "client")
                .group_by(ledger.c.reason)
            )
            rows.update(dict(conn.execute(query).all()))
    return rows


def test_client_spending_races_server_payments(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    tasks = _plan(random.Random(SEED))
    with http_lib.Client(timeout=60) as http:
        game = Game(cluster, http)
        for player in PLAYERS:
            game.register(player)
            game.change(Change(f"open-{player}", "wallets", player, "gold", 100))
            game.change(Change(f"open-{player}-sword", "inventory", player, "sword", 5))
        run_concurrently(tasks, game, THREADS)

    held, per_ref, per_grant = audit_books(cluster.engine)
    client_rows = _client_rows(cluster.engine)
    expected: Counter[Holding] = Counter()
    for key, change in game.changes.items():
        answers = game.answers[key]
        assert {status for status, _ in answers} == {200}, answers
        assert sum(body["data"]["applied"] for _, body in answers) == 1, answers
        assert per_ref[key] == 1, key
        expected[(change.table, change.player, change.target)] += change.delta
    refused = 0
    for key, spend in game.spends.items():
        answers = game.answers[key]
        statuses = {status for status, _ in answers}
        assert len(statuses) == 1, answers  # a refusal is stored and replayed too
        if statuses == {200}:
            assert sum(body["data"]["applied"] for _, body in answers) == 1, answers
            assert client_rows[key] == 1, key
            expected[(spend.table, spend.player, spend.target)] -= spend.units
        else:
            assert answers[0][1]["error"]["code"] == "conflict", answers
            assert client_rows[key] == 0, key
            refused += 1
    for grant_id, grant in game.acked.items():
        assert per_grant[grant_id] == len(grant.entries), grant
        for table, target, amount in grant.entries:
            expected[(table, grant.player, target)] += amount
    assert {h: v for h, v in held.items() if v} == {h: v for h, v in expected.items() if v}
    assert 0 < refused < len(game.spends)  # both outcomes happened
    assert transient_retries(cluster, caplog) == 0
    assert game.busy == 0
