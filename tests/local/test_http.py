"""The HTTP layer: awkward ids, bad input, unknown routes, OpenAPI. Never a 500 for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import Engine, select

from kraty_local.api.models import Envelope
from kraty_local.store.schema import players
from kraty_local.wire import InventoryChange, WalletChange
from tests._http import http_lib

from .helpers import seg

CREDIT = "/players/p1/wallet/gold/credit"
AWKWARD_IDS = [
    "a/b",
    "a%2Fb",
    "with space",
    "question?mark",
    "hash#tag",
    "ünïcødé-玩家",
    "100%",
    "%41",
    "a+b",
    "semi;colon,comma",
    "~tilde'quote\"",
]


def test_awkward_external_ids_round_trip(client: http_lib.Client, engine: Engine) -> None:
    for i, external_id in enumerate(AWKWARD_IDS):
        response = client.post(
            f"/players/{seg(external_id)}/wallet/gold/credit",
            json={"amount": i + 1, "idempotencyKey": "k"},
        )
        assert response.status_code == 200, (external_id, response.text)
        assert response.json()["data"]["balance"] == i + 1  # a new player each time

    with engine.connect() as conn:
        stored = set(conn.execute(select(players.c.external_player_id)).scalars())
    assert stored == set(AWKWARD_IDS)


def test_encoded_slash_never_reaches_another_route(client: http_lib.Client) -> None:
    # "x/wallet/gold/credit" as one id must not be read as a nested path
    sneaky = seg("x/wallet/gold/credit")
    response = client.post(
        f"/players/{sneaky}/inventory/sword/grant", json={"quantity": 1, "idempotencyKey": "k"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["itemKey"] == "sword"


def test_awkward_catalog_and_grant_ids_are_decoded_once(client: http_lib.Client) -> None:
    response = client.post(
        f"/players/p1/wallet/{seg('gold%')}/credit", json={"amount": 1, "idempotencyKey": "k"}
    )
    assert response.status_code == 404
    assert "'gold%'" in response.json()["error"]["message"]
    ack = client.post(f"/players/p1/grants/{seg('a/b')}/ack", json={"idempotencyKey": "k"})
    assert ack.status_code == 404


BAD_BODIES: list[tuple[str, Any, list[str]]] = [
    ("string amount", {"amount": "5", "idempotencyKey": "k"}, ["amount"]),
    ("boolean amount", {"amount": True, "idempotencyKey": "k"}, ["amount"]),
    ("float amount", {"amount": 5.0, "idempotencyKey": "k"}, ["amount"]),
    ("zero amount", {"amount": 0, "idempotencyKey": "k"}, ["amount"]),
    ("negative amount", {"amount": -1, "idempotencyKey": "k"}, ["amount"]),
    ("2**63 amount", {"amount": 2**63, "idempotencyKey": "k"}, ["amount"]),
    ("2**64 amount", {"amount": 2**64, "idempotencyKey": "k"}, ["amount"]),
    ("huge amount", {"amount": 10**400, "idempotencyKey": "k"}, ["amount"]),
    ("missing amount", {"idempotencyKey": "k"}, ["amount"]),
    ("missing key", {"amount": 5}, ["idempotencyKey"]),
    ("empty key", {"amount": 5, "idempotencyKey": ""}, ["idempotencyKey"]),
    ("numeric key", {"amount": 5, "idempotencyKey": 7}, ["idempotencyKey"]),
    ("numeric reason", {"amount": 5, "reason": 5, "idempotencyKey": "k"}, ["reason"]),
    ("unknown field", {"amount": 5, "idempotencyKey": "k", "currency": "gold"}, ["currency"]),
    (
        "snake_case field",
        {"amount": 5, "idempotency_key": "k"},
        ["idempotencyKey", "idempotency_key"],
    ),
    ("array body", [1, 2], ["body"]),
    ("string body", "credit", ["body"]),
    ("null body", None, ["body"]),
]


@pytest.mark.parametrize(
    ("body", "fields"), [(b, f) for _, b, f in BAD_BODIES], ids=[name for name, _, _ in BAD_BODIES]
)
def test_bad_bodies_are_validation_failed_with_fields(
    client: http_lib.Client, body: Any, fields: list[str]
) -> None:
    response = client.post(CREDIT, json=body)

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert sorted(d["field"] for d in error["details"]) == sorted(fields)
    assert all(isinstance(d["message"], str) and d["message"] for d in error["details"])


@pytest.mark.parametrize(
    ("entries", "field"),
    [
        ([], "entries"),
        ([{"type": "coupon", "code": "x"}], "entries.0"),
        ([{"currencyKey": "gold", "amount": 1}], "entries.0"),
        ([{"type": "currency", "currencyKey": "gold", "amount": "1"}], "entries.0.amount"),
        ([{"type": "item", "itemKey": "sword", "quantity": 1, "extra": 1}], "entries.0.extra"),
        ([{"type": "item", "itemKey": "sword"}], "entries.0.quantity"),
        (
            [{"type": "crate", "crateItemKey": "legendary_box", "quantity": 1001}],
            "entries.0.quantity",
        ),
        (
            [{"type": "item", "itemKey": "sword", "quantity": 1, "parameters": [1]}],
            "entries.0.parameters",
        ),
        ("gold", "entries"),
    ],
)
def test_bad_grant_entries(client: http_lib.Client, entries: Any, field: str) -> None:
    response = client.post("/players/p1/grants", json={"idempotencyKey": "k", "entries": entries})

    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "validation_failed"
    assert field in [d["field"] for d in response.json()["error"]["details"]]


@pytest.mark.parametrize("expires_at", [12345, "not a date", True, "2030-13-01T00:00:00Z"])
def test_bad_expiry(client: http_lib.Client, expires_at: Any) -> None:
    entries = [{"type": "currency", "currencyKey": "gold", "amount": 1}]
    response = client.post(
        "/players/p1/grants",
        json={"idempotencyKey": "k", "entries": entries, "expiresAt": expires_at},
    )
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == ["expiresAt"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"amount": 5, "idempotencyKey": "k"', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"amount=5&idempotencyKey=k", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
        (b'{"amount": 5, "idempotencyKey": "k"}', "text/plain"),
    ],
    ids=["truncated", "not utf-8", "form", "empty", "text/plain"],
)
def test_unparseable_bodies(client: http_lib.Client, content: bytes, content_type: str) -> None:
    response = client.post(CREDIT, content=content, headers={"content-type": content_type})

    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "validation_failed"
    assert response.json()["error"]["details"]


def test_oversized_body_is_413(client: http_lib.Client) -> None:
    body = b'{"amount": 5, "idempotencyKey": "k", "reason": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    response = client.post(CREDIT, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "validation_failed"


def test_unknown_route_and_wrong_method_use_the_envelope(client: http_lib.Client) -> None:
    missing = client.get("/no/such/route")
    wrong_method = client.get(CREDIT)

    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert set(wrong_method.json()["error"]) == {"code", "message", "details", "requestId"}


def test_holding_answers_are_what_their_response_model_makes(client: http_lib.Client) -> None:
    # These routes serialize their answer themselves: byte for byte what the documented
    # response model would have produced, for a first answer and for its replay.
    changes = [
        ("wallet/gold/credit", {"amount": 7}, WalletChange),
        ("wallet/gold/debit", {"amount": 2}, WalletChange),
        ("inventory/sword/grant", {"quantity": 2}, InventoryChange),
        ("inventory/sword/revoke", {"quantity": 1}, InventoryChange),
    ]
    for path, body, model in changes:
        adapter = TypeAdapter(Envelope[model])  # type: ignore[valid-type]
        for _ in range(2):
            answer = client.post(f"/players/p1/{path}", json={**body, "idempotencyKey": path})
            assert answer.status_code == 200
            assert answer.content == adapter.dump_json(adapter.validate_python(answer.json()))
            assert answer.headers["content-type"] == "application/json"


def test_openapi_describes_requests_and_responses(client: http_lib.Client, server: Any) -> None:
    spec = http_lib.get(server.base_url + "/openapi.json").json()
    credit = spec["paths"]["/server/v1/players/{player_id}/wallet/{economy_key}/credit"]["post"]
    body_ref = credit["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    ok_ref = credit["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schemas = spec["components"]["schemas"]

    assert schemas[body_ref.rsplit("/", 1)[1]]["required"] == ["idempotencyKey", "amount"]
    envelope = schemas[ok_ref.rsplit("/", 1)[1]]
    assert envelope["properties"]["data"]["$ref"].endswith("/WalletChange")
    assert set(schemas["WalletChange"]["properties"]) == {"economyKey", "balance", "applied"}
    assert credit["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorEnvelope"
    )
    grant = spec["paths"]["/server/v1/players/{player_id}/grants"]["post"]
    assert "201" in grant["responses"]
