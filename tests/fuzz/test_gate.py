"""The string gate's exact answers: ``400 validation_failed`` naming the field, on both engines."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from kraty_local.server import LocalServer

from .wire import RawClient

CREDIT = "/server/v1/players/{}/wallet/gold/credit"
ONE = {"amount": 1, "idempotencyKey": "k"}


def _fields(answer: Any) -> list[str]:
    assert answer.status == 400, answer.body
    assert answer.body["error"]["code"] == "validation_failed"
    return [detail["field"] for detail in answer.body["error"]["details"]]


@pytest.mark.parametrize(
    "segment", ["%zz", "%4", "%FF%FE", "%FE%FF", "%ED%A0%80", "a%00b", "%1F", "x" * 513]
)
def test_bad_path_ids_are_400_naming_the_parameter(raw_client: RawClient, segment: str) -> None:
    answer = raw_client.send("POST", CREDIT.format(segment), ONE)
    assert _fields(answer) == ["path.player_id"]


def test_escapes_decode_once_and_distinct_ids_stay_distinct(raw_client: RawClient) -> None:
    for segment in ("%25zz", "%C3%BC", "a%2Fb", "x" * 512):
        answer = raw_client.send("POST", CREDIT.format(segment), ONE)
        assert answer.status == 200, (segment, answer.body)
        assert answer.body["data"]["balance"] == 1  # each segment is its own player
    assert raw_client.send("GET", "/server/v1/players/%25zz").status == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 1, "idempotencyKey": "k\x00"}, "idempotencyKey"),
        ({"amount": 1, "idempotencyKey": "k\n"}, "idempotencyKey"),
        ({"amount": 1, "idempotencyKey": "k", "reason": "a\x00b"}, "reason"),
        ({"amount": 1, "idempotencyKey": "k", "sourceRefId": "\x00"}, "sourceRefId"),
    ],
)
def test_nul_and_controls_in_the_body(raw_client: RawClient, body: Any, field: str) -> None:
    assert _fields(raw_client.send("POST", CREDIT.format("p1"), body)) == [field]


def test_free_text_keeps_tabs_and_newlines(raw_client: RawClient) -> None:
    body = {"amount": 1, "idempotencyKey": "k", "reason": "line one\n\tline two"}
    assert raw_client.send("POST", CREDIT.format("p1"), body).status == 200


def test_free_form_objects_refuse_nul(raw_client: RawClient) -> None:
    body = {
        "idempotencyKey": "k",
        "entries": [{"type": "currency", "currencyKey": "gold", "amount": 1}],
        "metadata": {"note": ["ok", "a\x00"]},
    }
    answer = raw_client.send("POST", "/server/v1/players/p1/grants", body)
    assert _fields(answer) == ["metadata"]


def test_webhook_endpoint_urls_and_ids(raw_client: RawClient) -> None:
    url = {"url": "http://127.0.0.1:9/a\x00b"}
    assert _fields(raw_client.send("POST", "/_local/webhooks/endpoints", url)) == ["url"]
    assert _fields(raw_client.send("DELETE", "/_local/webhooks/endpoints/%zz")) == [
        "path.endpoint_id"
    ]
    assert _fields(raw_client.send("GET", "/_local/webhooks/deliveries?eventId=%00")) == ["eventId"]


def test_every_path_parameter_is_gated(openapi: dict[str, Any]) -> None:
    """A route that declared a path parameter as plain ``str`` would skip the gate."""
    for path, methods in openapi["paths"].items():
        for op in methods.values():
            for param in op.get("parameters", []):
                if param["in"] == "path":
                    assert {"maxLength", "pattern"} <= set(param["schema"]), (path, param)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /server/v1/ping\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"GET /server/v1/ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n",
    ],
    ids=["nul-in-request-line", "no-request-line", "1-MB-header"],
)
def test_malformed_http_gets_the_envelope(fuzz_server: LocalServer, request_bytes: bytes) -> None:
    received = b""
    with socket.create_connection((fuzz_server.host, fuzz_server.port), timeout=10) as sock:
        try:
            sock.sendall(request_bytes)
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:  # the server closes on the rest of a 1 MB head
            pass
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), received[:200]
    assert b"content-type: application/json" in head.lower()
    assert b'"code": "validation_failed"' in body
