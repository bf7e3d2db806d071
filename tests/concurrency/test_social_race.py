"""The social graph under concurrent game clients, on SQLite and on PostgreSQL with several
processes (issue 14).

A few players send, accept, decline and cancel friend requests, remove friends, block, unblock,
rename themselves and send presence heartbeats, all at once, some requests resent under the same
idempotency key. Every answer is a success or one of the 4xx the operation may meet; no
transaction is rolled back by a deadlock (each such retry is logged by the server); and the graph
stays consistent: one friendship per pair, none between players one of whom blocks the other,
no request at all between them, never pending requests both ways nor between friends.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select

from kraty_local.store.schema import blocks, friend_requests, friends, players
from tests._http import http_lib

from .conftest import Cluster, run_concurrently, transient_retries

SEED = 20261206
OPERATIONS = 240
THREADS = 12
PLAYERS = ["ann", "bob", "cy", "dee"]
RESEND_SHARE = 0.2
#: What each operation may answer besides its success.
EXPECTED: dict[str, set[tuple[int, str]]] = {
    "ask": {(201, ""), (403, "player_blocked"), (409, "already_friends")},
    "accept": {(200, ""), (404, "not_found"), (409, "conflict"), (403, "player_blocked")},
    "decline": {(200, ""), (404, "not_found"), (409, "conflict")},
    "cancel": {(200, ""), (404, "not_found"), (409, "conflict")},
    "unfriend": {(200, "")},
    "block": {(201, "")},
    "unblock": {(200, "")},
    "beat": {(200, "")},
    "rename": {(200, "")},
}
Answer = tuple[int, str, dict[str, Any], bool]  # status, error code, body, replayed


class Game:
    """The players' game clients, sending round robin over the cluster; records every answer."""

    def __init__(self, cluster: Cluster, http: http_lib.Client, names: list[str]) -> None:
        """Bind to the servers and register the players ``names``."""
        self.cluster = cluster
        self.http = http
        self.secrets: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        self.answers: dict[str, list[tuple[str, Answer]]] = defaultdict(list)
        self.busy = 0
        self._unkeyed = itertools.count()
        self._lock = threading.Lock()
        for name in names:
            self.register(name)

    def register(self, player: str) -> None:
        """Register the player and note its secret and friend code."""
        status, _, body, _ = self.call(player, "POST", "/register", {"idempotencyKey": player})
        assert status == 201, body
        self.secrets[player] = body["data"]["secret"]
        self.codes[player] = self.call(player, "GET", "/friend-code")[2]["data"]["friendCode"]

    def call(
        self, player: str, method: str, path: str, body: dict[str, Any] | None = None
    ) -> Answer:
        """One request of the player's client; a 503 is counted and retried, as a client does."""
        headers = {"Authorization": f"Bearer {self.cluster.client_key}"}
        if player in self.secrets:
            headers["X-Player-Secret"] = self.secrets[player]
        for attempt in range(40):
            url = f"{self.cluster.next_url()}/sdk/v1/players/{player}{path}"
            response = self.http.request(method, url, json=body, headers=headers)
            if response.status_code != 503:
                payload = response.json()
                code = payload["error"]["code"] if response.status_code >= 400 else ""
                replayed = response.headers.get("Idempotent-Replayed") == "true"
                return response.status_code, code, payload, replayed
            with self._lock:
                self.busy += 1
            time.sleep(0.02 * min(attempt + 1, 10))
        raise AssertionError(f"no answer for {method} {path} after 40 attempts")

    def act(
        self, op: str, player: str, method: str, path: str, body: dict[str, Any] | None = None
    ) -> None:
        """An operation; its answer is recorded under its path and idempotency key."""
        answer = self.call(player, method, path, body)
        key = body["idempotencyKey"] if body else next(self._unkeyed)
        with self._lock:  # a key is scoped to its path
            self.answers[f"{method} {path} {key}"].append((op, answer))

    def pending(self, player: str, direction: str) -> list[str]:
        """The ids of the player's pending requests in that direction, as the game reads them."""
        status, _, body, _ = self.call(player, "GET", "/friends/requests")
        assert status == 200, body
        return [r["requestId"] for r in body["data"][direction]]


def _plan(rng: random.Random) -> list[Callable[[Game], None]]:
    tasks: list[Callable[[Game], None]] = []
    for n in range(OPERATIONS):
        key = f"op-{n}"
        me = rng.choice(PLAYERS)
        other = rng.choice([p for p in PLAYERS if p != me])
        by_code = rng.random() < 0.5
        roll = rng.random()
        task: Callable[[Game], None]
        keyed = True
        if roll < 0.35:
            task = _ask(key, me, other, by_code)
        elif roll < 0.55:
            task = _answer(key, me, accept=rng.random() < 0.75)
        elif roll < 0.6:
            task = _block(key, me, other, by_code)
        elif roll < 0.75:
            status = rng.choice([{}, {"status": None}, {"status": "in_match"}])
            task = _beat(key, me, status)
        elif roll < 0.8:
            task = _rename(key, me, f"{me} {n}")
        else:
            keyed = False
            task = (_cancel(me), _unfriend(me, other), _unblock(me, other))[int(roll * 15) % 3]
        tasks.append(task)
        if keyed and rng.random() < RESEND_SHARE:  # the same request again, racing or later
            tasks.insert(rng.randint(0, len(tasks)), task)
    return tasks


def _target(game: Game, other: str, by_code: bool) -> dict[str, str]:
    return {"friendCode": game.codes[other]} if by_code else {"externalPlayerId": other}


def _ask(key: str, me: str, other: str, by_code: bool) -> Callable[[Game], None]:
    return lambda game: game.act(
        "ask",
        me,
        "POST",
        "/friends/requests",
        {**_target(game, other, by_code), "idempotencyKey": key},
    )


def _answer(key: str, me: str, *, accept: bool) -> Callable[[Game], None]:
    verb = "accept" if accept else "decline"

    def run(game: Game) -> None:
        incoming = game.pending(me, "incoming")
        if incoming:
            path = f"/friends/requests/{incoming[0]}/{verb}"
            game.act(verb, me, "POST", path, {"idempotencyKey": key})

    return run


def _cancel(me: str) -> Callable[[Game], None]:
    def run(game: Game) -> None:
        outgoing = game.pending(me, "outgoing")
        if outgoing:
            game.act("cancel", me, "DELETE", f"/friends/requests/{outgoing[0]}")

    return run


def _unfriend(me: str, other: str) -> Callable[[Game], None]:
    return lambda game: game.act("unfriend", me, "DELETE", f"/friends/{other}")


def _block(key: str, me: str, other: str, by_code: bool) -> Callable[[Game], None]:
    return lambda game: game.act(
        "block", me, "POST", "/blocks", {**_target(game, other, by_code), "idempotencyKey": key}
    )


def _unblock(me: str, other: str) -> Callable[[Game], None]:
    return lambda game: game.act("unblock", me, "DELETE", f"/blocks/{other}")


def _beat(key: str, me: str, status: dict[str, str | None]) -> Callable[[Game], None]:
    return lambda game: game.act("beat", me, "POST", "/presence", {**status, "idempotencyKey": key})


def _rename(key: str, me: str, name: str) -> Callable[[Game], None]:
    return lambda game: game.act(
        "rename", me, "PUT", "/identity", {"name": name, "idempotencyKey": key}
    )


def _check_graph(engine: Engine) -> Counter[str]:
    """The graph's invariants; returns how many friendships, blocks and pending requests."""
    with engine.connect() as conn:
        names = dict(conn.execute(select(players.c.id, players.c.external_player_id)).all())
        friendships = [frozenset(r) for r in conn.execute(select(*friends.c[1:3])).all()]
        blocked = {frozenset(r) for r in conn.execute(select(*blocks.c[1:3])).all()}
        requests = conn.execute(
            select(
                friend_requests.c.from_player_id,
                friend_requests.c.to_player_id,
                friend_requests.c.status,
            )
        ).all()
    assert len(friendships) == len(set(friendships)), "a pair is friends twice"
    assert not set(friendships) & blocked, "friends who block each other"
    for sender, recipient, status in requests:
        pair = frozenset((sender, recipient))
        assert pair not in blocked, (names[sender], names[recipient], status)
        if status == "pending":
            assert pair not in friendships, (names[sender], names[recipient])
            assert (recipient, sender, "pending") not in requests, "pending both ways"
    return Counter(
        friendships=len(friendships),
        blocks=len(blocked),
        pending=sum(status == "pending" for *_, status in requests),
    )


def test_concurrent_social_writes_keep_the_graph_consistent(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    tasks = _plan(random.Random(SEED))
    with http_lib.Client(timeout=60) as http:
        game = Game(cluster, http, PLAYERS)
        started = time.monotonic()
        run_concurrently(tasks, game, THREADS)
        elapsed = time.monotonic() - started

    for key, answers in game.answers.items():
        for op, (status, code, body, _) in answers:
            assert (status, code) in EXPECTED[op], (key, op, body)
        successes = [(status, body) for _, (status, _, body, _) in answers if status < 300]
        assert len({repr(s) for s in successes}) <= 1, (key, answers)  # replays are the original
        fresh = [a for _, a in answers if a[0] < 300 and not a[3]]
        assert len(fresh) <= 1, (key, answers)  # applied once
    counts = _check_graph(cluster.engine)
    retries = transient_retries(cluster, caplog)
    answered = Counter(f"{op} {a[0]}" for answers in game.answers.values() for op, a in answers)
    print(
        f"social race: {elapsed:.2f} s, {retries} transaction retries, {game.busy} 503s,",
        dict(answered),
        dict(counts),
    )
    assert retries == 0
    assert game.busy == 0
