"""One pass over every `/server/v1` endpoint against a running Kraty Local, keeping every answer.

The scenario uses our SDK (so the requests are the ones section 1 and the references define)
over an ``http_lib.Client`` whose response hook records each status and raw body. Lists are made
non-empty on purpose (grants in the snapshot, fired milestones, export rows, migration
failures, friends, requests, blocks) so their elements get validated too. A call that fails is
recorded as a failure, and the scenario goes on.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, Table, select, update

from kraty_admin import KratyAdmin, KratyServerError, RetryConfig
from kraty_admin.testing import KratyLocal
from kraty_local.clock import FakeClock
from kraty_local.server import LocalServer
from kraty_local.store import schema as store
from tests._http import http_lib

GAME = "game_1"
AT = datetime(2030, 1, 1, tzinfo=timezone.utc)


@dataclass
class Answer:
    """One response: its status and JSON body, or why the call failed."""

    endpoint: str
    status: int | None
    body: Any
    failure: str | None = None


@dataclass
class Answers:
    """Every answer of the scenario, by endpoint; the refused calls of ``ERROR_CASES`` by label."""

    by_endpoint: dict[str, list[Answer]] = field(default_factory=dict)
    errors: dict[str, Answer] = field(default_factory=dict)

    def add(self, answer: Answer) -> None:
        self.by_endpoint.setdefault(answer.endpoint, []).append(answer)


@dataclass(frozen=True)
class ErrorCase:
    """A call the references document as refused: its status and error code, and the source."""

    label: str
    status: int
    code: str
    endpoint: str
    args: tuple[Any, ...]
    source: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)


#: Made at the end of the scenario (alice exists and holds 400-odd gold by then).
ERROR_CASES = [
    ErrorCase(
        "identity-of-unknown-player",
        404,
        "not_found",
        "players.set_identity",
        ("nobody", "Ghost"),
        "TS setIdentity docs: the player must already be registered, 404 otherwise; section 9",
    ),
    ErrorCase(
        "export-of-unknown-player",
        404,
        "not_found",
        "players.export",
        ("ghost",),
        "Python and TS export docs",
    ),
    ErrorCase(
        "friends-of-unknown-player",
        404,
        "not_found",
        "players.friends",
        ("ghost",),
        "Python and TS friends docs",
    ),
    ErrorCase(
        "debit-below-zero",
        409,
        "conflict",
        "wallet.debit",
        ("alice", "gold", 10**9),
        "Python and TS debit docs: 409 on insufficient balance",
    ),
    ErrorCase(
        "score-on-progression-board",
        400,
        "score_not_supported",
        "leaderboards.submit_score",
        ("alice", "event_points_board", 5),
        "Python and TS submit_score docs",
    ),
    ErrorCase(
        "merge-into-self",
        422,
        "conflict",
        "players.merge",
        ("alice", "alice"),
        "Python and TS merge docs: conflict (422) on invalid merges",
    ),
    ErrorCase(
        "same-key-other-body",
        409,
        "idempotency_conflict",
        "grants.create",
        ("alice", "grant-2", [{"type": "currency", "currencyKey": "gold", "amount": 51}]),
        "Python and TS grants.create docs",
    ),
]


class _Recorder:
    def __init__(self) -> None:
        self.last: tuple[int, Any] | None = None

    def __call__(self, response: http_lib.Response) -> None:
        response.read()
        try:
            body = response.json()
        except ValueError:
            body = response.text
        self.last = (response.status_code, body)


def run(server: LocalServer, clock: FakeClock) -> Answers:
    """Drive every endpoint once or more and return what Kraty Local answered."""
    recorder = _Recorder()
    answers = Answers()
    with http_lib.Client(event_hooks={"response": [recorder]}, timeout=30) as http:
        kraty = KratyAdmin(
            api_key=server.api_key,
            base_url=server.base_url,
            http_client=http,
            retry=RetryConfig(attempts=1),
        )

        def call(endpoint: str, *args: Any, **kwargs: Any) -> Any:
            """Call ``endpoint`` and keep its answer; a refused call answers ``None``."""
            recorder.last = None
            try:
                value = operator.attrgetter(endpoint)(kraty)(*args, **kwargs)
            except KratyServerError as exc:
                status, body = recorder.last or (None, None)
                answers.add(Answer(endpoint, status, body, failure=f"{exc}"))
                return None
            status, body = recorder.last or (None, None)
            answers.add(Answer(endpoint, status, body))
            return value

        _script(call, lambda: _seed_social(server, clock, kraty))
        for case in ERROR_CASES:
            recorder.last = None
            try:
                operator.attrgetter(case.endpoint)(kraty)(*case.args, **case.kwargs)
            except KratyServerError as exc:
                status, body = recorder.last or (None, None)
                answers.errors[case.label] = Answer(case.endpoint, status, body, f"{exc}")
            else:
                status, body = recorder.last or (None, None)
                answers.errors[case.label] = Answer(case.endpoint, status, body)
    return answers


def _script(call: Callable[..., Any], seed_social: Callable[[], None]) -> None:
    """Every endpoint, in an order where each call finds what it needs."""
    call("health.ping")

    call("wallet.credit", "alice", "gold", 500, reason="iap", idempotency_key="r-1")
    call("wallet.credit", "alice", "gold", 500, reason="iap", idempotency_key="r-1")  # replay
    call("wallet.debit", "alice", "gold", 100, reason="refund", source_ref_id="refund-1")
    call("inventory.grant", "alice", "sword", 2, reason="iap", source_ref_id="rcpt-2")
    call("inventory.revoke", "alice", "sword", 1, reason="chargeback")

    mixed = [
        {"type": "currency", "currencyKey": "gold", "amount": 50},
        {"type": "item", "itemKey": "health_potion", "quantity": 1, "parameters": {"hp": 5}},
        {"type": "crate", "crateItemKey": "legendary_box", "quantity": 1},
    ]
    grant = call(
        "grants.create",
        "alice",
        "grant-1",
        mixed,
        expires_at="2100-01-01T00:00:00Z",
        source_ref_id="rcpt-1",
        metadata={"campaign": "c42"},
    )
    call("grants.create", "alice", "grant-2", [mixed[0]])
    call(  # a replay of the first: the original grant again
        "grants.create",
        "alice",
        "grant-1",
        mixed,
        expires_at="2100-01-01T00:00:00Z",
        source_ref_id="rcpt-1",
        metadata={"campaign": "c42"},
    )
    if grant:
        call("grants.ack", "alice", grant["id"])
        call("grants.ack", "alice", grant["id"])  # a claimed grant: a no-op that returns it

    lobby = call(
        "lobbies.push",
        GAME,
        "quick_brawl",
        "lobby-1",
        ["alice", "bob"],
        capacity=4,
        fill_bots=True,
        metadata={"region": "eu"},
    )
    if lobby:
        call("lobbies.read", GAME, lobby["id"])

    call("leaderboards.submit_score", "alice", "weekly_race_board", 120)
    call("leaderboards.submit_score", "bob", "speedrun_board", 71.5, segment="eu")

    call("events.report_progress", "alice", "weekly_race", "att-1", "increment", metric_value=150)
    occurred = datetime.now(timezone.utc) - timedelta(minutes=1)
    call(
        "events.progress",
        "alice",
        "weekly_race",
        "att-1",
        "set",
        metric_value=600,
        occurred_at=occurred,
    )
    call("events.finish", "alice", "weekly_race", "att-1")
    call("events.report_progress", "bob", "weekly_race", "att-2", "set", metric_value=10)

    call("players.set_identity", "alice", "Alice", avatar="https://cdn.example/a.png")
    call("players.set_identity", "bob", "Bob")

    for name in ("carol", "dave", "erin", "mallory", "guest_1"):
        call("wallet.credit", name, "gems", 5)
    seed_social()
    call("players.friends", "alice")
    call("players.friends", "bob")
    call("players.friend_requests", "alice")
    call("players.friend_requests", "dave")
    call("players.blocks", "alice")

    call("players.get", "alice")
    call("players.export", "alice")

    call("players.ban", "dave", reason="score anomaly")
    call("players.ban", "dave", reason="score anomaly, again")
    call("players.unban", "dave")
    call("players.unban", "dave")

    call("players.merge", "guest_1", "bob")
    call("players.merge", "guest_1", "bob")

    call(
        "migrate.players",
        [
            {"externalPlayerId": "m_1", "idempotencyKey": "m_1"},
            {"externalPlayerId": "m_2", "idempotencyKey": "m_2", "contextSnapshot": {"lvl": 3}},
        ],
    )
    call(
        "migrate.wallet",
        [
            {
                "externalPlayerId": "m_1",
                "economyKey": "gold",
                "amount": 100,
                "idempotencyKey": "w1",
            },
            {
                "externalPlayerId": "m_1",
                "economyKey": "rubies",
                "amount": 1,
                "idempotencyKey": "w2",
            },
        ],
    )
    call(
        "migrate.inventory",
        [
            {"externalPlayerId": "m_2", "itemKey": "sword", "quantity": 1, "idempotencyKey": "i1"},
            {"externalPlayerId": "m_2", "itemKey": "nope", "quantity": 1, "idempotencyKey": "i2"},
        ],
    )

    call("players.delete", "carol")
    call("players.delete", "carol", "test")
    call("players.delete", "ghost", "studio_request")


#: alice's social graph: two friends, a request each way, a block (the seed format of
#: ``kraty-admin local seed``; bob's country shows up in his displayIdentity).
SOCIAL_SEED: dict[str, Any] = {
    "players": [
        {"externalPlayerId": "alice"},
        {"externalPlayerId": "bob", "country": "PT"},
        *({"externalPlayerId": name} for name in ("carol", "dave", "erin", "mallory")),
    ],
    "friendships": [
        {"players": ["alice", "bob"], "since": "2030-01-01T00:00:00Z"},
        {"players": ["alice", "carol"], "since": "2030-01-01T01:00:00Z"},
    ],
    "friendRequests": [
        {"from": "dave", "to": "alice", "createdAt": "2030-01-01T00:00:00Z"},
        {"from": "alice", "to": "erin", "createdAt": "2030-01-01T00:00:00Z"},
    ],
    "blocks": [{"player": "alice", "blocked": "mallory", "blockedAt": "2030-01-01T01:00:00Z"}],
}


def _seed_social(server: LocalServer, clock: FakeClock, kraty: KratyAdmin) -> None:
    """Give alice friends, requests and a block, and bob a presence heartbeat.

    Uses the ``kraty_local`` fixture's seeding (``KratyLocal.seed``) when this version has it,
    else writes the same rows into the store tables. The seed format has no presence, so the
    heartbeat columns are always set directly (columns a schema lacks are left out).
    """
    local = KratyLocal(server=server, client=kraty, clock=clock)
    if hasattr(local, "seed"):
        local.seed(SOCIAL_SEED)
    else:
        _insert_social(server.engine)
    heartbeat = {"last_active_at": clock.now(), "presence_status": "in_match"}
    present = {k: v for k, v in heartbeat.items() if k in store.players.c}
    if present:
        with server.engine.begin() as conn:
            conn.execute(
                update(store.players).where(
                    store.players.c.external_player_id == "bob", store.players.c.game_id == GAME
                ),
                present,
            )


def _insert_social(engine: Engine) -> None:
    """``SOCIAL_SEED`` written straight into the store tables (before seeding existed)."""
    ids = _player_ids(engine, "alice", "bob", "carol", "dave", "erin", "mallory")
    later = AT + timedelta(hours=1)
    pairs = [("alice", "bob", AT), ("alice", "carol", later)]
    _insert(
        engine,
        store.friends,
        *(
            {"player_id": ids[a], "friend_player_id": ids[b], "created_at": at}
            for one, other, at in pairs
            for a, b in ((one, other), (other, one))
        ),
    )
    requests = [("req-in", "dave", "alice"), ("req-out", "alice", "erin")]
    _insert(
        engine,
        store.friend_requests,
        *(
            {
                "id": request_id,
                "from_player_id": ids[sender],
                "to_player_id": ids[receiver],
                "status": "pending",
                "created_at": AT,
                "updated_at": AT,
            }
            for request_id, sender, receiver in requests
        ),
    )
    _insert(
        engine,
        store.blocks,
        {"player_id": ids["alice"], "blocked_player_id": ids["mallory"], "created_at": later},
    )
    if "country" in store.players.c:
        with engine.begin() as conn:
            conn.execute(
                update(store.players).where(store.players.c.id == ids["bob"]), {"country": "PT"}
            )


def _player_ids(engine: Engine, *external_ids: str) -> dict[str, str]:
    column = store.players.c.external_player_id
    with engine.connect() as conn:
        rows = conn.execute(
            select(column, store.players.c.id).where(
                column.in_(external_ids), store.players.c.game_id == GAME
            )
        )
        return {str(external): str(row_id) for external, row_id in rows}


def _insert(engine: Engine, table: Table, *rows: Mapping[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(
            table.insert(), [{k: v for k, v in row.items() if k in table.c} for row in rows]
        )
