"""Decoding answers: the error envelope, typed properties, malformed bodies (sections 1 and 2)."""

from __future__ import annotations

import pytest
import respx

import kraty_admin
from kraty_admin import (
    InternalServerError,
    KratyAdmin,
    KratyError,
    KratyServerError,
    RetryConfig,
)
from tests._http import RespxResponse

from .conftest import Clients, Invoker, error

ONE_SHOT = RetryConfig(attempts=1)

# code -> (status, typed property); the table of the contract's section 2.
CODES = {
    "validation_failed": (400, "is_validation_failed"),
    "invalid_metric": (400, "is_invalid_metric"),
    "score_not_supported": (400, "is_score_not_supported"),
    "unauthenticated": (401, "is_unauthenticated"),
    "session_invalid": (401, "is_session_invalid"),
    "forbidden": (403, "is_forbidden"),
    "tenant_mismatch": (403, "is_tenant_mismatch"),
    "player_banned": (403, "is_player_banned"),
    "not_found": (404, "is_not_found"),
    "conflict": (409, "is_conflict"),
    "idempotency_conflict": (409, "is_idempotency_conflict"),
    "event_disabled": (409, "is_event_disabled"),
    "rate_limited": (429, "is_rate_limited"),
    "internal_error": (500, "is_internal_error"),
}
PROPERTIES = [prop for _, prop in CODES.values()]


@pytest.fixture
def one_shot(clients: Clients) -> Invoker:
    return clients.invoker(retry=ONE_SHOT)


def raised(invoke: Invoker, name: str = "players.get", *args: object) -> KratyServerError:
    with pytest.raises(KratyServerError) as caught:
        invoke(name, *(args or ("p",)))
    return caught.value


def test_error_envelope_fields_and_string_form(one_shot: Invoker, api: respx.MockRouter) -> None:
    details = {"differingFields": ["amount"], "originalRequestAt": "2030-01-01T00:00:00Z"}
    api.route().mock(return_value=error(409, "conflict", "insufficient balance", details))

    err = raised(one_shot, "wallet.debit", "p", "gold", 10)

    assert err.status == 409
    assert err.code == "conflict"
    assert err.api_message == "insufficient balance"
    assert err.details == details
    assert str(err) == "[409] conflict: insufficient balance"
    assert isinstance(err, KratyError)
    assert "insufficient balance" in repr(err)


def test_missing_details_is_none(one_shot: Invoker, api: respx.MockRouter) -> None:
    api.route().mock(
        return_value=RespxResponse(404, json={"error": {"code": "not_found", "message": "gone"}})
    )

    err = raised(one_shot)

    assert err.details is None
    assert err.is_not_found
    assert str(err) == "[404] not_found: gone"


@pytest.mark.parametrize("code", list(CODES))
def test_each_code_sets_exactly_its_property(
    code: str, one_shot: Invoker, api: respx.MockRouter
) -> None:
    status, prop = CODES[code]
    api.route().mock(return_value=error(status, code, "m", {"field": "x"}))

    err = raised(one_shot)

    assert err.status == status
    assert err.code == code
    assert err.is_code(code)
    assert not err.is_code("something_else")
    assert {p: getattr(err, p) for p in PROPERTIES} == {p: p == prop for p in PROPERTIES}


def test_conflict_on_422_for_a_bad_merge(one_shot: Invoker, api: respx.MockRouter) -> None:
    api.route().mock(return_value=error(422, "conflict", "cannot merge a player into itself"))

    err = raised(one_shot, "players.merge", "a", "a")

    assert err.status == 422
    assert err.is_conflict
    assert str(err) == "[422] conflict: cannot merge a player into itself"


def test_unknown_code_is_reachable_through_is_code(
    one_shot: Invoker, api: respx.MockRouter
) -> None:
    api.route().mock(return_value=error(418, "teapot_overflow", "short and stout"))

    err = raised(one_shot)

    assert err.is_code("teapot_overflow")
    assert not any(getattr(err, p) for p in PROPERTIES)
    assert str(err) == "[418] teapot_overflow: short and stout"


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (502, b"<html><body>Bad Gateway</body></html>", "text/html"),
        (404, b'{"detail": "Not Found"}', "application/json"),
        (400, b'{"error": "bad"}', "application/json"),
        (403, b'{"error": {"code": 7, "message": "x"}}', "application/json"),
        (409, b'{"error": {"code": "conflict"}}', "application/json"),
        (401, b"", "text/plain"),
        (500, b"\xff\xfe not utf-8", "application/octet-stream"),
        (503, b"[1, 2, 3]", "application/json"),
    ],
)
def test_non_envelope_error_is_internal_error_with_the_status(
    status: int, body: bytes, content_type: str, one_shot: Invoker, api: respx.MockRouter
) -> None:
    api.route().mock(
        return_value=RespxResponse(status, content=body, headers={"Content-Type": content_type})
    )

    err = raised(one_shot)

    assert err.status == status
    assert err.code == "internal_error"
    assert err.is_internal_error
    assert str(err).startswith(f"[{status}] internal_error: ")


@pytest.mark.parametrize(
    ("name", "args", "body"),
    [
        ("players.get", ("p",), b"<html>maintenance</html>"),
        ("players.get", ("p",), b'{"data": '),
        ("players.get", ("p",), b"\xff\xfe\x00garbage"),
        ("players.get", ("p",), b""),
        ("health.ping", (), b"not json"),
        ("wallet.credit", ("p", "gold", 1), b"OK"),
    ],
)
def test_2xx_non_json_is_internal_error_not_a_json_exception(
    name: str, args: tuple[object, ...], body: bytes, one_shot: Invoker, api: respx.MockRouter
) -> None:
    api.route().mock(return_value=RespxResponse(200, content=body))

    with pytest.raises(KratyServerError) as caught:
        one_shot(name, *args)

    err = caught.value
    assert type(err) is InternalServerError
    assert not isinstance(err, ValueError)  # json.JSONDecodeError is a ValueError
    assert err.is_internal_error
    assert err.status == 200


@pytest.mark.parametrize(
    ("name", "args", "payload"),
    [
        ("players.get", ("p",), {"player": {"id": "x"}}),  # no envelope
        ("players.get", ("p",), [{"data": {}}]),  # not an object
        ("wallet.credit", ("p", "gold", 1), {"result": {"balance": 1}}),
        ("players.friends", ("p",), {"data": {"people": []}}),  # no "friends" list
        ("players.blocks", ("p",), {"data": []}),
        ("health.ping", (), [1, 2]),
        ("health.ping", (), "ok"),
    ],
)
def test_2xx_without_data_is_internal_error(
    name: str, args: tuple[object, ...], payload: object, one_shot: Invoker, api: respx.MockRouter
) -> None:
    api.route().mock(return_value=RespxResponse(200, json=payload))

    with pytest.raises(KratyServerError) as caught:
        one_shot(name, *args)

    assert caught.value.is_internal_error
    assert caught.value.status == 200


def test_internal_error_message_names_the_problem_and_starts_the_body(
    one_shot: Invoker, api: respx.MockRouter
) -> None:
    api.route().mock(return_value=RespxResponse(502, content=b"<html>" + b"x" * 5000))

    err = raised(one_shot)

    assert "<html>" in err.api_message
    assert len(err.api_message) < 400  # a snippet, not the whole page


def test_data_may_be_any_json_value(one_shot: Invoker, api: respx.MockRouter) -> None:
    api.route().mock(return_value=RespxResponse(200, json={"data": {"nested": [1, None, "x"]}}))

    assert one_shot("players.get", "p") == {"nested": [1, None, "x"]}


def test_ping_is_returned_bare_even_with_a_data_key(
    one_shot: Invoker, api: respx.MockRouter
) -> None:
    api.route().mock(return_value=RespxResponse(200, json={"ok": True, "data": "ignored"}))

    assert one_shot("health.ping") == {"ok": True, "data": "ignored"}


def test_error_envelope_on_2xx_is_not_an_error(one_shot: Invoker, api: respx.MockRouter) -> None:
    """Only the status decides; a 200 whose data mentions "error" is a value."""
    api.route().mock(return_value=RespxResponse(200, json={"data": {"error": "none"}}))

    assert one_shot("players.get", "p") == {"error": "none"}


def test_key_echoed_by_a_proxy_body_is_redacted(api: respx.MockRouter) -> None:
    key = "pk_live.very-secret-value"
    api.get("https://api.kraty.app/server/v1/ping").mock(
        return_value=RespxResponse(502, text=f"bad gateway; Authorization: Bearer {key}")
    )
    client = KratyAdmin(api_key=key, retry=RetryConfig(attempts=1))
    with pytest.raises(KratyServerError) as caught:
        client.health.ping()
    assert key not in str(caught.value)
    assert key not in caught.value.api_message
    assert "<redacted>" in caught.value.api_message


# code -> the exception class raised for it (and the status the contract gives it)
CLASSES = {
    "validation_failed": "ValidationError",
    "invalid_metric": "ValidationError",
    "score_not_supported": "ValidationError",
    "unauthenticated": "AuthenticationError",
    "session_invalid": "AuthenticationError",
    "forbidden": "PermissionDeniedError",
    "tenant_mismatch": "PermissionDeniedError",
    "player_banned": "PermissionDeniedError",
    "not_found": "NotFoundError",
    "conflict": "ConflictError",
    "event_disabled": "ConflictError",
    "idempotency_conflict": "IdempotencyConflictError",
    "rate_limited": "RateLimitError",
    "internal_error": "InternalServerError",
}


@pytest.mark.parametrize("code", sorted(CLASSES))
def test_each_code_raises_its_category_class(
    code: str, one_shot: Invoker, api: respx.MockRouter
) -> None:
    status, prop = CODES[code]
    api.route().mock(return_value=error(status, code, "m"))

    err = raised(one_shot)

    cls = getattr(kraty_admin, CLASSES[code])
    assert type(err) is cls
    assert issubclass(cls, KratyServerError)
    assert getattr(err, prop)  # the product page's properties keep working
    assert repr(err).startswith(f"{CLASSES[code]}(status={status}")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, "ValidationError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (409, "ConflictError"),
        (429, "RateLimitError"),
        (503, "InternalServerError"),
        (418, "KratyServerError"),
    ],
)
def test_an_unknown_code_is_classed_by_its_status(
    status: int, expected: str, one_shot: Invoker, api: respx.MockRouter
) -> None:
    api.route().mock(return_value=error(status, "brand_new_code", "m"))

    err = raised(one_shot)

    assert type(err) is getattr(kraty_admin, expected)
    assert err.is_code("brand_new_code")


def test_public_classes_report_the_public_module() -> None:
    classes = [getattr(kraty_admin, n) for n in kraty_admin.__all__]
    classes = [value for value in classes if isinstance(value, type)]

    assert len(classes) >= 15
    assert {cls.__module__ for cls in classes} == {"kraty_admin"}


def test_request_id_comes_from_the_header(one_shot: Invoker, api: respx.MockRouter) -> None:
    response = error(404, "not_found", "no player", headers={"X-Request-Id": "req_hdr"})
    api.route().mock(return_value=response)

    err = raised(one_shot)

    assert err.request_id == "req_hdr"
    assert str(err) == "[404] not_found: no player (request id req_hdr)"
    assert "request_id='req_hdr'" in repr(err)


def test_request_id_falls_back_to_the_envelope(one_shot: Invoker, api: respx.MockRouter) -> None:
    body = {"error": {"code": "conflict", "message": "m", "details": None, "requestId": "req_b"}}
    api.route().mock(return_value=RespxResponse(409, json=body))

    assert raised(one_shot).request_id == "req_b"


def test_the_header_wins_over_the_envelope(one_shot: Invoker, api: respx.MockRouter) -> None:
    body = {"error": {"code": "conflict", "message": "m", "requestId": "req_body"}}
    api.route().mock(
        return_value=RespxResponse(409, json=body, headers={"X-Request-Id": "req_header"})
    )

    assert raised(one_shot).request_id == "req_header"


def test_unreadable_answers_keep_the_request_id(one_shot: Invoker, api: respx.MockRouter) -> None:
    api.route().mock(
        return_value=RespxResponse(502, text="<html>", headers={"X-Request-Id": "req_gw"})
    )

    err = raised(one_shot)

    assert err.is_internal_error
    assert err.request_id == "req_gw"


def test_without_any_id_the_string_form_is_unchanged(
    one_shot: Invoker, api: respx.MockRouter
) -> None:
    api.route().mock(return_value=error(404, "not_found", "no player"))

    err = raised(one_shot)

    assert err.request_id is None
    assert str(err) == "[404] not_found: no player"
