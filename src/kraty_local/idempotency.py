"""Idempotent execution of a write (contract section 3).

``run_idempotent`` claims the key, runs the work and stores the response, all in one
transaction: the key row is the lock, so concurrent duplicates serialize and exactly one applies.
Only committed outcomes are stored: 2xx, and the business errors a service ``decided`` (a
:class:`~kraty_local.domain.errors.DomainError`, stored as the API layer answers it). A decided
error rolls the whole transaction back, claim included, and a second transaction claims the key
afresh and stores the error without running the work again: no SAVEPOINT (two more statements,
each compiled anew) on the way of every success. A duplicate that claims the key between the two
transactions runs the work itself; the second transaction then finds its row and replays its
answer, so the key still has exactly one outcome, and it is the one its effects match.

The claim is an ``INSERT ... ON CONFLICT DO NOTHING`` (one statement for a new key); only when
the key exists is its row read, with ``SELECT ... FOR UPDATE``. On SQLite the claim runs under
``BEGIN IMMEDIATE``, the one write lock. On PostgreSQL a concurrent duplicate's insert waits for
the claimer's commit, and the row it then reads holds the stored answer. A wait longer than the
``lock_timeout`` answers ``503`` with ``Retry-After: 1``; a deadlock or serialization failure
reruns the whole transaction (:func:`~kraty_local.db.run_transaction`).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select

from kraty_local.db import run_transaction
from kraty_local.domain.errors import Busy, DomainError, IdempotencyConflict
from kraty_local.errors import api_error
from kraty_local.store.queries import insert_ignore
from kraty_local.store.schema import idempotency_keys

#: The work to protect: given the open connection, return ``(status, response body)``.
Work = Callable[[Connection], tuple[int, dict[str, Any]]]

_KEYS = idempotency_keys.c
_LOCK_KEY = (
    select(idempotency_keys).where(_KEYS.scope_hash == bindparam("b_digest")).with_for_update()
)
_STORE_ANSWER = (
    idempotency_keys.update()
    .where(_KEYS.scope_hash == bindparam("b_digest"))
    .values(response_status=bindparam("b_status"), response_body=bindparam("b_body"))
)
_RESTART = (
    idempotency_keys.update()
    .where(_KEYS.id == bindparam("b_row"))
    .values(
        fingerprint=bindparam("b_fingerprint"),
        request_body=bindparam("b_request_body"),
        response_status=None,
        response_body=None,
        created_at=bindparam("b_now"),
    )
)


@dataclass(frozen=True)
class IdempotencyScope:
    """What a key is unique within: studio, game, HTTP method, raw request path, key."""

    studio_id: str
    game_id: str
    method: str
    path: str
    key: str

    def digest(self) -> str:
        """A fixed-length database key for the whole scope."""
        parts = [self.studio_id, self.game_id, self.method, self.path, self.key]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """The answer to send: status, body, and whether it is a replay."""

    status: int
    body: dict[str, Any]
    replayed: bool


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace: equal documents give equal strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def run_idempotent(
    engine: Engine,
    scope: IdempotencyScope,
    request_body: Mapping[str, Any],
    work: Work,
    *,
    now: datetime,
    ttl: timedelta,
) -> Outcome:
    """Run ``work`` at most once per scope and request body within ``ttl`` (see module doc).

    ``request_body`` is the body without ``idempotencyKey``. A different body under a live key
    raises ``409 idempotency_conflict`` naming the differing top-level fields.
    """
    body = dict(request_body)
    fingerprint = hashlib.sha256(canonical_json(body).encode()).hexdigest()
    digest = scope.digest()

    def claim_and_store(answer: Work) -> Callable[[Connection], Outcome]:
        def run(conn: Connection) -> Outcome:
            replay = _claim(conn, scope, digest, body, fingerprint, now=now, ttl=ttl)
            if replay is not None:
                return replay
            status, response = answer(conn)
            conn.execute(
                _STORE_ANSWER, {"b_digest": digest, "b_status": status, "b_body": response}
            )
            return Outcome(status, response, replayed=False)

        return run

    def decide(conn: Connection) -> tuple[int, dict[str, Any]]:
        try:
            return work(conn)
        except DomainError as err:
            if err.decided:
                raise _Decided(err) from err
            raise

    try:
        return run_transaction(engine, claim_and_store(decide))
    except _Decided as refused:
        error = api_error(refused.error)
        return run_transaction(engine, claim_and_store(lambda _: (error.status, error.body())))


class _Decided(Exception):
    """The work's decided refusal, carried out of (and so rolling back) its transaction."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(error)
        self.error = error


def _claim(
    conn: Connection,
    scope: IdempotencyScope,
    digest: str,
    body: dict[str, Any],
    fingerprint: str,
    *,
    now: datetime,
    ttl: timedelta,
) -> Outcome | None:
    """Take the key (``None``) or return the stored answer to replay."""
    values = {
        "scope_hash": digest,
        "studio_id": scope.studio_id,
        "game_id": scope.game_id,
        "method": scope.method,
        "path": scope.path,
        "key": scope.key,
        "fingerprint": fingerprint,
        "request_body": body,
        "created_at": now,
    }
    for _ in range(2):  # a second pass only when the row was deleted between the two statements
        if insert_ignore(conn, idempotency_keys, values, ["scope_hash"]):
            return None
        row = conn.execute(_LOCK_KEY, {"b_digest": digest}).first()
        if row is None:
            continue
        if row.created_at + ttl <= now:  # forgotten: this request starts afresh
            conn.execute(
                _RESTART,
                {
                    "b_row": row.id,
                    "b_fingerprint": fingerprint,
                    "b_request_body": body,
                    "b_now": now,
                },
            )
            return None
        if row.fingerprint != fingerprint:
            raise IdempotencyConflict(row.request_body, body, row.created_at)
        if row.response_status is None:
            raise Busy  # only possible if a claimer is mid-flight on another engine
        return Outcome(row.response_status, _as_replay(row.response_body), replayed=True)
    raise Busy


def _as_replay(stored: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(stored)
    data = body.get("data")
    if isinstance(data, dict) and "applied" in data:
        data["applied"] = False
    return body
