"""Per-request options, raw responses and ``request()`` against a running Kraty Local."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from kraty_admin import NotFoundError, RetryConfig
from kraty_admin.testing import KratyLocal


@pytest.fixture(params=["sync", "async"])
def drive(request: pytest.FixtureRequest, kraty_local: KratyLocal) -> Any:
    """``drive(lambda kraty: ...)`` runs the function with a client of the parametrized kind."""

    def sync_drive(work: Any) -> Any:
        return work(kraty_local.client)

    def async_drive(work: Any) -> Any:
        async def main() -> Any:
            async with kraty_local.make_async_client() as kraty:
                outcome = work(kraty)
                return await outcome

        return anyio.run(main)

    return sync_drive if request.param == "sync" else async_drive


def test_raw_response_reports_a_replay(drive: Any, kraty_local: KratyLocal) -> None:
    def credit(kraty: Any) -> Any:
        return kraty.with_raw_response.wallet.credit("p1", "gold", 5, idempotency_key="rc-1")

    first, again = drive(credit), drive(credit)

    assert (first.status_code, first.replayed, first.attempts) == (200, False, 1)
    assert first.parse() == {"economyKey": "gold", "balance": 5, "applied": True}
    assert (again.replayed, again.parse()["applied"]) == (True, False)
    assert first.request_id
    assert again.request_id
    assert first.request_id != again.request_id


def test_a_view_sends_its_headers_and_shares_the_pool(drive: Any, kraty_local: KratyLocal) -> None:
    def ping(kraty: Any) -> Any:
        view = kraty.with_options(headers={"X-Request-Id": "ticket-42"}, timeout=5.0)
        assert view._http is kraty._http
        return view.with_raw_response.health.ping()

    raw = drive(ping)

    assert raw.request_id == "ticket-42"  # Kraty Local keeps a sane caller id
    assert raw.parse()["ok"] is True


def test_a_view_retry_policy_applies(drive: Any) -> None:
    def missing(kraty: Any) -> Any:
        return kraty.with_options(retry=RetryConfig(attempts=1)).players.get("nobody")

    with pytest.raises(NotFoundError) as caught:
        drive(missing)
    assert caught.value.request_id


def test_request_reaches_server_and_local_routes(drive: Any, kraty_local: KratyLocal) -> None:
    kraty_local.client.wallet.credit("p2", "gold", 7)

    player = drive(lambda kraty: kraty.request("GET", "/server/v1/players/p2"))
    deliveries = drive(
        lambda kraty: kraty.request("GET", "/_local/webhooks/deliveries", params={"limit": 5})
    )
    debit = drive(
        lambda kraty: kraty.request(
            "POST", "/server/v1/players/p2/wallet/gold/debit", body={"amount": 2}
        )
    )

    assert player["data"]["player"]["externalPlayerId"] == "p2"
    assert isinstance(deliveries["data"], list)
    assert debit["data"]["balance"] == 5  # the idempotency key was stamped


def test_request_decodes_errors(drive: Any) -> None:
    with pytest.raises(NotFoundError):
        drive(lambda kraty: kraty.request("GET", "/server/v1/players/nobody"))
