"""Exactly once under faults: a few hundred fulfilments through the SDK and a fault proxy.

Every request may be reset before it is forwarded, answered 503 without being forwarded,
committed and then have its answer dropped, cut mid-body or held past the client's timeout, or
reach the server only after the client gave up (so the retry can overtake it). What raised after
the SDK's own retries is re-driven with the same keys until it gets a final answer; then the
audit reads the store: every fulfilment applied exactly once, nothing lost, the ledgers replay to
the balances. The negative controls show the audit notices a double apply and a lost write.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from kraty_admin import KratyAdmin, RetryConfig
from kraty_local.server import LocalServer
from tests._http import http_lib

from .books import (
    Fulfilment,
    Outcome,
    audit_exactly_once,
    fulfil,
    make_plan,
    read_books,
    redrive,
)
from .conftest import API_KEY
from .proxy import Fault, FaultProxy, scripted_chooser, seeded_chooser

SEED = 20261210
FULFILMENTS = 300
PLAYERS = 24
THREADS = 12  # a held request costs a thread its client timeout, not CPU
FAULT_RATE = 0.3
#: Short, so a held answer costs little; a slow genuine answer is just one more fault.
CLIENT_TIMEOUT = 1.0
#: Two HTTP calls per SDK call, so that some calls raise and are re-driven by the "studio".
SDK_RETRY = RetryConfig(attempts=2, initial_delay=0.01, max_delay=0.05)
#: Faults after which the server has committed but the client has no answer.
AFTER_COMMIT = frozenset({Fault.DROP, Fault.CUT, Fault.HOLD, Fault.LATE})


def _drive(client: KratyAdmin, plan: list[Fulfilment]) -> dict[str, Outcome]:
    """Each player's fulfilments in order (so debits are covered), players in parallel."""
    by_player: dict[str, list[Fulfilment]] = {}
    for f in plan:
        by_player.setdefault(f.player, []).append(f)

    def run(sequence: list[Fulfilment]) -> dict[str, Outcome]:
        return {f.receipt: fulfil(client, f) for f in sequence}

    outcomes: dict[str, Outcome] = {}
    with ThreadPoolExecutor(THREADS) as pool:
        for done in pool.map(run, by_player.values()):
            outcomes.update(done)
    return outcomes


def _expected_views(plan: list[Fulfilment]) -> dict[str, dict[str, dict[str, int]]]:
    views: dict[str, dict[str, Counter[str]]] = {}
    for f in plan:
        view = views.setdefault(f.player, {"wallet": Counter(), "inventory": Counter()})
        for entry in f.intended:
            view[entry.book][entry.key] += entry.delta
    return {
        p: {book: {k: n for k, n in amounts.items() if n} for book, amounts in v.items()}
        for p, v in views.items()
    }


def _sdk_views(client: KratyAdmin, players: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    views = {}
    for player in players:
        got: Any = client.players.get(player)
        views[player] = {
            "wallet": {w["economyKey"]: w["balance"] for w in got["wallet"] if w["balance"]},
            "inventory": {i["itemKey"]: i["quantity"] for i in got["inventory"] if i["quantity"]},
        }
    return views


@pytest.mark.slow
def test_every_fulfilment_applies_exactly_once_under_faults(local_server: LocalServer) -> None:
    plan = make_plan(random.Random(SEED), players=PLAYERS, count=FULFILMENTS)
    upstream = (local_server.host, local_server.port)
    with (
        FaultProxy(upstream, seeded_chooser(SEED, FAULT_RATE)) as proxy,
        KratyAdmin(
            api_key=API_KEY, base_url=proxy.base_url, timeout=CLIENT_TIMEOUT, retry=SDK_RETRY
        ) as client,
    ):
        outcomes = _drive(client, plan)
    # The proxy has stopped: every late request has reached the server and been answered.

    findings = audit_exactly_once(read_books(local_server.engine), plan)
    assert findings == [], "\n".join(findings)

    with KratyAdmin(api_key=API_KEY, base_url=local_server.base_url) as direct:
        players = sorted({f.player for f in plan})
        assert _sdk_views(direct, players) == _expected_views(plan)

    for f in plan:  # the overdrafts were refused, and said why
        refused = outcomes[f.receipt].refused
        assert (refused is not None) == (f.kind == "overdraft"), f
        if refused is not None:
            assert refused.details["requested"] == -f.entries[0].delta
            assert refused.details["available"] < refused.details["requested"]

    injected = proxy.injected()
    requests = len(proxy.records)
    redrives = sum(o.redrives for o in outcomes.values())
    replayed = sum(not a["applied"] for o in outcomes.values() for a in o.answers if "applied" in a)
    kinds = dict(Counter(f.kind for f in plan))
    faults = {k.value: n for k, n in injected.items()}
    print(
        f"\n{len(plan)} fulfilments {kinds}; {requests} requests through the proxy, "
        f"{sum(injected.values())} faulted {faults}; {redrives} re-drives; "
        f"{replayed} final answers were replays"
    )
    assert set(injected) == set(Fault), injected  # every kind of fault happened
    assert 0.2 < sum(injected.values()) / requests < 0.4
    assert redrives > 0  # some calls outlived the SDK's retries and were sent again
    assert replayed > 0  # some committed answers were lost and then replayed


def test_the_audit_reports_double_applies_when_retries_change_the_key(
    local_server: LocalServer,
) -> None:
    """Negative control under the same faults: a studio that retries by itself (SDK retries
    off) without passing its receipt id as the key gets a fresh key per call, so every credit
    whose answer was lost after the commit applies once more."""
    plan = [f for f in make_plan(random.Random(SEED), players=4, count=80) if f.kind == "credit"]
    fresh_keys = (f"fresh-{n}" for n in itertools.count())
    upstream = (local_server.host, local_server.port)
    with (
        FaultProxy(upstream, seeded_chooser(SEED, FAULT_RATE)) as proxy,
        KratyAdmin(
            api_key=API_KEY,
            base_url=proxy.base_url,
            timeout=CLIENT_TIMEOUT,
            retry=RetryConfig(attempts=1),
            generate_idempotency_key=lambda: next(fresh_keys),
        ) as client,
    ):
        for f in plan:  # one thread, so the keys and the faults are the same every run
            (entry,) = f.entries
            credit = functools.partial(
                client.wallet.credit, f.player, entry.key, entry.delta, source_ref_id=f.receipt
            )
            redrive(credit, Outcome())
    books = read_books(local_server.engine)
    findings = audit_exactly_once(books, plan)
    doubled = [f.receipt for f in plan if _finding(f, times=2) in findings]
    assert doubled, findings
    # Exact accounting: each request that reached the server applied once, under its own key.
    applied_requests = [r for r in proxy.records if r.upstream_status == 200]
    assert len(books.ledger) == len(applied_requests) > len(plan)
    assert any(r.fault in AFTER_COMMIT for r in applied_requests)


def test_the_audit_reports_double_applies_and_lost_fulfilments(local_server: LocalServer) -> None:
    """Negative controls: a credit and a grant sent again under fresh keys (as a studio that
    does not use the receipt id as the key would), and a fulfilment never sent."""
    plan = make_plan(random.Random(SEED), players=3, count=12)
    credit = next(f for f in plan if f.kind == "credit")
    grant = next(f for f in plan if f.kind == "grant")
    lost = next(f for f in reversed(plan) if f not in (credit, grant))
    with KratyAdmin(api_key=API_KEY, base_url=local_server.base_url) as client:
        for f in plan:
            if f is not lost:
                fulfil(client, f)
        (entry,) = credit.entries
        client.wallet.credit(credit.player, entry.key, entry.delta, source_ref_id=credit.receipt)
        again = client.grants.create(
            grant.player,
            f"{grant.receipt}-again",
            [e.wire() for e in grant.entries],
            source_ref_id=grant.receipt,
        )
        client.grants.ack(grant.player, again["id"])

    findings = audit_exactly_once(read_books(local_server.engine), plan)
    assert _finding(credit, times=2) in findings
    assert _finding(grant, times=2) in findings
    assert _finding(lost, times=0) in findings
    assert any(
        line.startswith(f"{(credit.player, 'wallet', entry.key)}: holds") for line in findings
    )


def _finding(f: Fulfilment, *, times: int) -> str:
    """The audit's line for fulfilment ``f`` applied ``times`` times (not once)."""
    intended = sorted((f.player, e.book, e.key, e.delta) for e in f.intended)
    if f.kind == "grant":
        return f"{f.receipt} (grant): ledger has {[intended] * times}, want {intended}"
    return f"{f.receipt} ({f.kind}): ledger has {[intended * times]}, want {intended}"


def test_each_fault_does_what_it_says(local_server: LocalServer) -> None:
    """The proxy itself: what the client sees, and whether the server applied the request."""
    upstream = (local_server.host, local_server.port)
    faults = list(Fault)
    with FaultProxy(upstream, scripted_chooser(faults)) as proxy:
        answers = [_credit_through(proxy, fault) for fault in faults]
    books = read_books(local_server.engine)
    expected_error: dict[Fault, tuple[type[Exception], ...]] = {
        Fault.RESET: (http_lib.ReadError, http_lib.RemoteProtocolError),
        Fault.DROP: (http_lib.RemoteProtocolError,),
        Fault.CUT: (http_lib.RemoteProtocolError,),
        Fault.HOLD: (http_lib.ReadTimeout,),
        Fault.LATE: (http_lib.ReadTimeout,),
    }
    for fault, answer, record in zip(faults, answers, proxy.records, strict=True):
        if fault is Fault.UNAVAILABLE:
            assert isinstance(answer, http_lib.Response)
            assert answer.status_code == 503
            assert answer.json()["error"]["code"] == "unavailable"
        else:
            assert isinstance(answer, expected_error[fault]), (fault, answer)
        committed = fault in AFTER_COMMIT
        applied = [r.delta for r in books.ledger if r.source_ref_id == f"probe-{fault.value}"]
        assert applied == ([5] if committed else []), fault
        assert (record.fault, record.upstream_status) == (fault, 200 if committed else None)


def _credit_through(proxy: FaultProxy, fault: Fault) -> http_lib.Response | http_lib.TransportError:
    """One credit of 5 gold through the proxy, no retries; the client gives up after 0.5 s
    where the fault needs it to (hold, late), and waits long enough for any other answer."""
    key = f"probe-{fault.value}"
    body = {"amount": 5, "sourceRefId": key, "idempotencyKey": key}
    timeout = 0.5 if fault in (Fault.HOLD, Fault.LATE) else 30.0
    with http_lib.Client(timeout=timeout) as http:
        try:
            return http.post(
                f"{proxy.base_url}/server/v1/players/probe/wallet/gold/credit",
                json=body,
                headers={"Authorization": f"Bearer {API_KEY}"},
            )
        except http_lib.TransportError as exc:
            return exc
