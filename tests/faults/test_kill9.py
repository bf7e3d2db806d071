"""``kill -9`` of Kraty Local mid-load, then a restart on the same database, on both engines.

Threads send fulfilments (raw HTTP, the SDK's wire format, so the answers' headers can be read)
to a ``kraty-admin local serve`` process; once enough writes were answered the process gets
SIGKILL, with writes in flight. Then: no partial write (holdings equal their ledgers, a grant is
applied whole or not at all), every write answered 2xx is present exactly once and a write whose
answer never came at most once; after a restart on the same database, every answered write sent
again with its key is replayed (same status and body, ``applied: false``, ``Idempotent-Replayed:
true``), and finishing the unanswered ones applies each exactly once.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from kraty_local.store.schema import idempotency_keys
from tests._http import http_lib

from .books import Fulfilment, audit_consistency, audit_exactly_once, make_plan, read_books
from .conftest import API_KEY, ServerProcess

SEED = 20261211
PLAYERS = 12
THREADS = 6
PLANNED = 600  # more than can finish before the kill
KILL_AFTER = 80  # answered writes


@dataclass
class Sent:
    """One write and, if it came, its answer."""

    receipt: str
    path: str
    body: dict[str, Any]
    status: int | None = None
    answer: dict[str, Any] | None = None


def _requests(f: Fulfilment) -> tuple[str, dict[str, Any]]:
    """The first (or only) request of a fulfilment, as the SDK sends it."""
    key = f.receipt
    if f.kind == "grant":
        entries = [e.wire() for e in f.entries]
        body = {"kind": "reward", "entries": entries, "sourceKind": "api", "sourceRefId": key}
        return f"/players/{f.player}/grants", {**body, "idempotencyKey": key}
    (entry,) = f.entries
    if f.kind == "item":
        path = f"/players/{f.player}/inventory/{entry.key}/grant"
        return path, {"quantity": entry.delta, "sourceRefId": key, "idempotencyKey": key}
    verb = "credit" if entry.delta > 0 else "debit"
    path = f"/players/{f.player}/wallet/{entry.key}/{verb}"
    return path, {"amount": abs(entry.delta), "sourceRefId": key, "idempotencyKey": key}


class Load:
    """Sends each player's fulfilments in order; a thread stops at its first lost answer."""

    def __init__(self, base_url: str, http: http_lib.Client) -> None:
        """Aim at ``base_url``."""
        self.base_url = base_url
        self.http = http
        self.sent: list[Sent] = []
        self.answered = 0
        self.enough = threading.Event()
        self._lock = threading.Lock()

    def post(self, sent: Sent) -> http_lib.Response:
        """One write; a 503 (lock busy) is sent again a few times, as the SDK would."""
        for _ in range(20):
            response = self.http.post(
                f"{self.base_url}/server/v1{sent.path}",
                json=sent.body,
                headers={"Authorization": f"Bearer {API_KEY}"},
            )
            if response.status_code != 503:
                break
            time.sleep(0.1)
        return response

    def send(self, sent: Sent) -> bool:
        """Send and record; ``False`` when the answer never came."""
        with self._lock:
            self.sent.append(sent)
        try:
            response = self.post(sent)
        except http_lib.TransportError:
            return False
        sent.status, sent.answer = response.status_code, response.json()
        with self._lock:
            self.answered += 1
            if self.answered >= KILL_AFTER:
                self.enough.set()
        return True

    def run(self, sequence: list[Fulfilment]) -> None:
        """One player's fulfilments, until the server is gone."""
        for f in sequence:
            path, body = _requests(f)
            created = Sent(f.receipt, path, body)
            if not self.send(created):
                return
            if f.kind == "grant":
                assert created.status == 201, created
                assert created.answer is not None
                ack = f"/players/{f.player}/grants/{created.answer['data']['id']}/ack"
                if not self.send(Sent(f.receipt, ack, {"idempotencyKey": f.receipt})):
                    return


def _unfinished_keys(engine: Engine) -> int:
    with engine.connect() as conn:
        query = select(func.count()).where(idempotency_keys.c.response_status.is_(None))
        return int(conn.execute(query.select_from(idempotency_keys)).scalar_one())


def _outcome(answer: dict[str, Any] | None) -> dict[str, Any] | None:
    """The answer without the error's ``requestId``, which names the request, not the outcome."""
    if answer is None or "error" not in answer:
        return answer
    return {**answer, "error": {k: v for k, v in answer["error"].items() if k != "requestId"}}


def _expected_status(f: Fulfilment, path: str) -> int:
    if f.kind == "overdraft":
        return 409
    return 201 if path.endswith("/grants") else 200


@pytest.mark.slow
def test_kill_9_mid_load_loses_nothing_and_applies_nothing_twice(
    database_target: str, database_engine: Engine, world_file: Path, tmp_path: Path
) -> None:
    plan = make_plan(random.Random(SEED), players=PLAYERS, count=PLANNED)
    by_receipt = {f.receipt: f for f in plan}
    sequences: dict[str, list[Fulfilment]] = {}
    for f in plan:
        sequences.setdefault(f.player, []).append(f)
    log = tmp_path / "server.log"

    server = ServerProcess(database_target, world_file, log)
    try:
        server.wait_until_serving()
        with http_lib.Client(timeout=30) as http:
            load = Load(server.base_url, http)
            with ThreadPoolExecutor(THREADS) as pool:
                running = [pool.submit(load.run, s) for s in sequences.values()]
                load.enough.wait(timeout=120)
                server.kill()
                for done in running:
                    done.result()
    finally:
        server.stop()

    answered = [s for s in load.sent if s.status is not None]
    lost = [s for s in load.sent if s.status is None]
    started = {s.receipt for s in load.sent}
    uncertain = frozenset(s.receipt for s in lost)
    assert len(answered) >= KILL_AFTER
    assert lost, "the kill left no write unanswered"
    for s in answered:
        assert s.status == _expected_status(by_receipt[s.receipt], s.path), s

    # After the kill, before any restart: nothing partial, every answered write there once.
    books = read_books(database_engine)
    assert audit_consistency(books) == []
    started_plan = [f for f in plan if f.receipt in started]
    findings = audit_exactly_once(books, started_plan, uncertain=uncertain)
    assert findings == [], "\n".join(findings)
    grant_ids = {g.id: g for g in books.grants}
    for s in answered:  # an answered grant create (its ack lost) is there too
        if s.path.endswith("/grants"):
            assert s.answer is not None
            assert grant_ids[s.answer["data"]["id"]].source_ref_id == s.receipt
    assert _unfinished_keys(database_engine) == 0  # no key claimed without its answer
    refs = {r.source_ref_id for r in books.ledger} | {g.source_ref_id for g in books.grants}
    committed_unanswered = len(uncertain & refs)

    restarted = ServerProcess(database_target, world_file, log)
    try:
        restarted.wait_until_serving()
        with http_lib.Client(timeout=30) as http:
            again = Load(restarted.base_url, http)
            for s in answered:  # the same writes, the same keys: replayed, not applied
                response = again.post(s)
                assert response.status_code == s.status, s
                assert response.headers.get("Idempotent-Replayed") == "true", s
                replay = response.json()
                if "applied" in replay.get("data", {}):
                    assert s.answer is not None
                    assert s.answer["data"]["applied"] is True, s
                    replay["data"]["applied"] = True
                assert _outcome(replay) == _outcome(s.answer), s
            for s in lost:  # finish what the kill interrupted, with the same keys
                f = by_receipt[s.receipt]
                response = again.post(s)
                assert response.status_code == _expected_status(f, s.path), response.text
                if f.kind == "grant" and s.path.endswith("/grants"):
                    grant_id = response.json()["data"]["id"]
                    ack = Sent(f.receipt, f"{s.path}/{grant_id}/ack", {"idempotencyKey": s.receipt})
                    assert again.post(ack).status_code == 200
    finally:
        restarted.stop()

    findings = audit_exactly_once(read_books(database_engine), started_plan)
    assert findings == [], "\n".join(findings)
    assert _unfinished_keys(database_engine) == 0
    print(
        f"\n{len(answered)} writes answered before the kill, {len(lost)} unanswered, of which "
        f"{committed_unanswered} had committed; {len(started)} fulfilments started"
    )
