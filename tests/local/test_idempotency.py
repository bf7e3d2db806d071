"""Idempotency (contract section 3): replay, conflict, scope, TTL, stored outcomes, races."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from kraty_local import idempotency
from kraty_local.clock import FakeClock
from kraty_local.server import LocalServer
from kraty_local.services import holdings
from kraty_local.settings import Settings
from kraty_local.store.schema import audit_log, idempotency_keys, players, wallet_ledger, wallets
from tests._http import http_lib

from .helpers import count, make_world, outbox_count

CREDIT = "/players/p1/wallet/gold/credit"
DEBIT = "/players/p1/wallet/gold/debit"


def balance(engine: Engine, key: str = "gold") -> int:
    with engine.connect() as conn:
        value = conn.execute(select(wallets.c.balance).where(wallets.c.economy_key == key)).scalar()
    return int(value or 0)


def test_replay_returns_original_with_header_and_applied_false(
    client: http_lib.Client, engine: Engine
) -> None:
    body = {"amount": 500, "reason": "iap", "idempotencyKey": "receipt-1"}
    first = client.post(CREDIT, json=body)
    events = outbox_count(engine)
    again = client.post(CREDIT, json=body)

    assert first.status_code == again.status_code == 200
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json() == {"data": {"economyKey": "gold", "balance": 500, "applied": True}}
    assert again.json() == {"data": {"economyKey": "gold", "balance": 500, "applied": False}}
    assert balance(engine) == 500
    assert count(engine, wallet_ledger) == 1
    assert outbox_count(engine) == events  # a replay emits nothing


def test_different_body_is_an_idempotency_conflict_naming_the_fields(
    client: http_lib.Client, clock: FakeClock
) -> None:
    original_at = clock.now()
    assert client.post(CREDIT, json={"amount": 500, "idempotencyKey": "k"}).status_code == 200
    clock.advance(5)
    response = client.post(CREDIT, json={"amount": 501, "reason": "x", "idempotencyKey": "k"})

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "idempotency_conflict"
    assert error["details"]["differingFields"] == ["amount", "reason"]
    assert error["details"]["originalRequestAt"] == original_at.isoformat(
        timespec="milliseconds"
    ).replace("+00:00", "Z")


def raw_post(client: http_lib.Client, path: str, body: bytes) -> http_lib.Response:
    """POST a body byte for byte, as another SDK would send it."""
    return client.post(path, content=body, headers={"Content-Type": "application/json"})


def test_defaults_and_nulls_do_not_change_the_fingerprint(
    client: http_lib.Client, engine: Engine
) -> None:
    route = "/players/p1/grants"
    entries = b'"entries": [{"type": "item", "itemKey": "sword", "quantity": 1}]'
    sent_by_typescript = b'{"idempotencyKey": "g1", ' + entries + b"}"
    sent_by_python = (
        b'{"idempotencyKey": "g1", "kind": "reward", ' + entries + b', "sourceKind": "api"}'
    )
    with_nulls = (
        b'{"idempotencyKey": "g1", ' + entries[:-2] + b', "parameters": null}], '
        b'"expiresAt": null, "sourceRefId": null, "metadata": null}'
    )

    first = raw_post(client, route, sent_by_typescript)
    replays = [raw_post(client, route, body) for body in (sent_by_python, with_nulls)]

    assert first.status_code == 201, first.text
    for replay in replays:
        assert replay.status_code == 201, replay.text
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json() == first.json()
    other_kind = raw_post(client, route, sent_by_python.replace(b'"reward"', b'"crate"'))
    assert other_kind.status_code == 409
    assert other_kind.json()["error"]["details"]["differingFields"] == ["kind"]
    with engine.connect() as conn:
        stored = conn.execute(select(idempotency_keys.c.request_body)).scalar_one()
    assert (stored["kind"], stored["sourceKind"]) == ("reward", "api")  # defaults applied


def test_the_default_erasure_reason_is_the_same_request_as_none(client: http_lib.Client) -> None:
    route = "/players/p1/delete"
    first = raw_post(client, route, b'{"idempotencyKey": "d"}')
    same = raw_post(client, route, b'{"idempotencyKey": "d", "reason": "gdpr_erasure"}')
    other = raw_post(client, route, b'{"idempotencyKey": "d", "reason": "test"}')

    assert first.status_code == same.status_code == 200
    assert same.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 409
    assert other.json()["error"]["details"]["differingFields"] == ["reason"]


def test_nulls_inside_free_form_objects_still_count(client: http_lib.Client) -> None:
    route = "/players/p1/grants"
    entries = [{"type": "currency", "currencyKey": "gold", "amount": 1}]
    body = {"idempotencyKey": "m", "entries": entries, "metadata": {}}
    assert client.post(route, json=body).status_code == 201

    changed = client.post(route, json={**body, "metadata": {"campaign": None}})

    assert changed.status_code == 409
    assert changed.json()["error"]["details"]["differingFields"] == ["metadata"]


def test_scope_is_per_path_so_one_receipt_can_key_several_operations(
    client: http_lib.Client, engine: Engine
) -> None:
    key = "apple_receipt_abc"
    credit = client.post(CREDIT, json={"amount": 500, "idempotencyKey": key})
    item = client.post(
        "/players/p1/inventory/starter_chest/grant", json={"quantity": 1, "idempotencyKey": key}
    )
    grant = client.post(
        "/players/p1/grants",
        json={
            "idempotencyKey": key,
            "entries": [{"type": "currency", "currencyKey": "gold", "amount": 500}],
        },
    )
    other_player = client.post(
        "/players/p2/wallet/gold/credit", json={"amount": 7, "idempotencyKey": key}
    )

    assert [r.status_code for r in (credit, item, grant, other_player)] == [200, 200, 201, 200]
    assert not any("Idempotent-Replayed" in r.headers for r in (item, grant, other_player))
    assert count(engine, idempotency_keys) == 4


def test_key_is_forgotten_after_24_hours(
    client: http_lib.Client, clock: FakeClock, engine: Engine
) -> None:
    assert client.post(CREDIT, json={"amount": 10, "idempotencyKey": "k"}).status_code == 200
    clock.advance(timedelta(hours=23, minutes=59))
    assert (
        client.post(CREDIT, json={"amount": 10, "idempotencyKey": "k"}).headers.get(
            "Idempotent-Replayed"
        )
        == "true"
    )
    clock.advance(timedelta(minutes=1))
    fresh = client.post(CREDIT, json={"amount": 25, "idempotencyKey": "k"})

    assert fresh.status_code == 200
    assert fresh.json()["data"] == {"economyKey": "gold", "balance": 35, "applied": True}
    assert count(engine, idempotency_keys) == 1  # the row was reused, not duplicated


def test_business_conflict_is_stored_and_replayed(client: http_lib.Client, engine: Engine) -> None:
    refused = client.post(DEBIT, json={"amount": 100, "idempotencyKey": "refund-1"})
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "conflict",
        "message": refused.json()["error"]["message"],
        "details": {"economyKey": "gold", "available": 0, "requested": 100},
        "requestId": refused.headers["X-Request-Id"],
    }
    client.post(CREDIT, json={"amount": 1000, "idempotencyKey": "topup"})

    replay = client.post(DEBIT, json={"amount": 100, "idempotencyKey": "refund-1"})

    assert replay.status_code == 409
    assert replay.headers["Idempotent-Replayed"] == "true"
    replayed_error = {**replay.json()["error"], "requestId": refused.headers["X-Request-Id"]}
    assert replayed_error == refused.json()["error"]  # the same answer, under its own id
    assert balance(engine) == 1000  # the replayed refusal applied nothing


def test_a_stored_refusal_leaves_none_of_its_work_behind(
    client: http_lib.Client, engine: Engine
) -> None:
    refused = client.post(DEBIT, json={"amount": 5, "idempotencyKey": "k"})  # p1 is new

    assert refused.status_code == 409
    assert count(engine, players) == count(engine, audit_log) == 0  # ensure_player rolled back
    assert count(engine, idempotency_keys) == 1


def test_a_duplicate_claiming_the_key_between_work_and_stored_refusal_wins(
    client: http_lib.Client, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The refusal is stored by a second transaction: run the same request, after a top-up,
    # in the gap between the two (the refused work rolled back, the key free again).
    interleaved: list[http_lib.Response] = []
    answer = idempotency.api_error

    def with_a_duplicate_first(err: Exception) -> object:
        if not interleaved:
            interleaved.append(client.post(CREDIT, json={"amount": 100, "idempotencyKey": "t"}))
            interleaved.append(client.post(DEBIT, json={"amount": 30, "idempotencyKey": "k"}))
        return answer(err)  # type: ignore[arg-type]

    monkeypatch.setattr(idempotency, "api_error", with_a_duplicate_first)
    first = client.post(DEBIT, json={"amount": 30, "idempotencyKey": "k"})

    assert [r.status_code for r in interleaved] == [200, 200]
    assert (first.status_code, first.headers["Idempotent-Replayed"]) == (200, "true")
    assert first.json()["data"] == {"economyKey": "gold", "balance": 70, "applied": False}
    assert balance(engine) == 70
    assert count(engine, wallet_ledger) == 2  # the top-up and one debit


def test_unknown_catalog_key_404_is_stored(client: http_lib.Client) -> None:
    body = {"amount": 1, "idempotencyKey": "k"}
    first = client.post("/players/p1/wallet/diamonds/credit", json=body)
    again = client.post("/players/p1/wallet/diamonds/credit", json=body)

    assert first.status_code == again.status_code == 404
    assert first.json()["error"]["code"] == "not_found"
    assert again.headers["Idempotent-Replayed"] == "true"


def test_validation_errors_are_not_stored(client: http_lib.Client) -> None:
    bad = client.post(CREDIT, json={"amount": "500", "idempotencyKey": "k"})
    good = client.post(CREDIT, json={"amount": 500, "idempotencyKey": "k"})

    assert bad.status_code == 400
    assert good.status_code == 200
    assert good.json()["data"]["applied"] is True


def test_unhandled_error_is_500_envelope_and_not_stored(
    client: http_lib.Client, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("boom")

    with monkeypatch.context() as patch:
        patch.setattr(holdings, "api_change", boom)
        failed = client.post(CREDIT, json={"amount": 5, "idempotencyKey": "k"})
    retried = client.post(CREDIT, json={"amount": 5, "idempotencyKey": "k"})

    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "internal_error"
    assert "boom" not in failed.text  # no traceback or internals leak
    assert retried.status_code == 200
    assert retried.json()["data"]["applied"] is True
    assert count(engine, idempotency_keys) == 1


def test_sixteen_concurrent_duplicates_apply_once(client: http_lib.Client, engine: Engine) -> None:
    body = {"amount": 250, "idempotencyKey": "same-receipt"}
    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(lambda _: client.post(CREDIT, json=body), range(16)))

    assert [r.status_code for r in responses] == [200] * 16
    applied = [r for r in responses if r.json()["data"]["applied"]]
    assert len(applied) == 1
    assert sum("Idempotent-Replayed" in r.headers for r in responses) == 15
    assert {r.json()["data"]["balance"] for r in responses} == {250}
    assert balance(engine) == 250
    assert count(engine, wallet_ledger) == 1
    assert outbox_count(engine, "wallet.changed") == 1


def test_lock_timeout_answers_503_with_retry_after(database: str, clock: FakeClock) -> None:
    if "://" in database:
        pytest.skip("holds the SQLite write lock directly")
    settings = Settings(
        database=database, world=make_world(), clock=clock, lock_timeout_seconds=0.2
    )
    with (
        LocalServer(settings=settings) as server,
        http_lib.Client(
            base_url=server.base_url + "/server/v1",
            headers={"Authorization": f"Bearer {server.api_key}"},
        ) as client,
    ):
        blocker = sqlite3.connect(database, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            busy = client.post(CREDIT, json={"amount": 5, "idempotencyKey": "k"})
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        retried = client.post(CREDIT, json={"amount": 5, "idempotencyKey": "k"})

    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "1"
    assert busy.json()["error"]["code"] == "internal_error"
    assert retried.status_code == 200
    assert retried.json()["data"]["applied"] is True
