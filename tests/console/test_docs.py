"""``/docs`` and ``/redoc`` work offline, and the OpenAPI document says what the API answers."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kraty_local.app import create_app
from kraty_local.settings import Settings
from kraty_local.shared_server import Served
from tests._http import http_lib

DOCUMENT = create_app(Settings()).openapi()


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_every_asset_from_the_server(
    console: http_lib.Client, server: Served, page: str
) -> None:
    html = console.get(page).text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)

    assert assets
    assert not [url for url in assets if "//" in url], "an asset from another host"
    assert "fonts.googleapis" not in html
    for url in assets:
        answer = console.get(url)
        assert answer.status_code == 200, url
        assert len(answer.content) > 0


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in DOCUMENT["paths"].items()
        for method, operation in methods.items()
    ]


def test_no_operation_documents_a_status_it_never_answers() -> None:
    assert "HTTPValidationError" not in DOCUMENT["components"]["schemas"]
    answers_422 = [path for path, _, op in _operations() if "422" in op["responses"]]

    assert answers_422 == ["/server/v1/players/{player_id}/merge-into/{to_player_id}"]
    for path, method, operation in _operations():
        assert {"400", "401", "403", "429", "500"} <= set(operation["responses"]), (path, method)


def test_every_operation_requires_its_surfaces_bearer_key() -> None:
    schemes = DOCUMENT["components"]["securitySchemes"]

    assert {(s["type"], s["scheme"]) for s in schemes.values()} == {("http", "bearer")}
    for path, method, operation in _operations():
        expected = "clientKey" if path.startswith("/sdk/v1/") else "serverKey"
        assert operation["security"] == [{expected: []}], (path, method)
    assert {path.split("/")[1] for path in DOCUMENT["paths"]} == {"server", "sdk", "_local"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/_local/webhooks/deliveries"),
        ("post", "/_local/webhooks/events/{event_id}/redeliver"),
        ("post", "/_local/webhooks/endpoints"),
        ("delete", "/_local/webhooks/endpoints/{endpoint_id}"),
    ],
)
def test_local_webhook_routes_document_what_they_answer(method: str, path: str) -> None:
    responses = DOCUMENT["paths"][path][method]["responses"]

    assert {"400", "401", "403", "404"} <= set(responses)
    assert "422" not in responses
    assert responses["404"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorEnvelope"
    )


def test_local_webhook_refusals_are_documented_statuses(server: Served) -> None:
    """What the routes really answer for bad input, a wrong key and an unknown id."""
    base = server.base_url + "/_local/webhooks"
    auth = {"Authorization": f"Bearer {server.api_key}"}
    answers = {
        ("get", "/_local/webhooks/deliveries"): http_lib.get(
            base + "/deliveries?status=bogus", headers=auth
        ),
        ("post", "/_local/webhooks/events/{event_id}/redeliver"): http_lib.post(
            base + "/events/nope/redeliver", headers=auth
        ),
        ("delete", "/_local/webhooks/endpoints/{endpoint_id}"): http_lib.delete(
            base + "/endpoints/nope", headers={"Authorization": "Bearer kl_test_x.y"}
        ),
    }
    for (method, path), answer in answers.items():
        assert answer.status_code in (400, 401, 404)
        assert str(answer.status_code) in DOCUMENT["paths"][path][method]["responses"]
