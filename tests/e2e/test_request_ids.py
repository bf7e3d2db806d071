"""Request ids end to end: Kraty Local's ``X-Request-Id`` reaches errors and telemetry."""

from __future__ import annotations

import re

import pytest

from kraty_admin import KratyAdmin, NotFoundError, RequestInfo
from kraty_admin.testing import KratyLocal

GENERATED = re.compile(r"req_[0-9a-f]{32}")


def test_an_error_carries_the_servers_request_id(kraty_local: KratyLocal) -> None:
    infos: list[RequestInfo] = []
    with KratyAdmin(
        api_key=kraty_local.api_key, base_url=kraty_local.base_url, on_request=infos.append
    ) as kraty:
        kraty.wallet.credit("p1", "gold", 5)
        with pytest.raises(NotFoundError) as caught:
            kraty.players.get("nobody")

    err = caught.value
    assert err.request_id is not None
    assert GENERATED.fullmatch(err.request_id)
    assert str(err).endswith(f"(request id {err.request_id})")
    ok_info, failed_info = infos
    assert failed_info.request_id == err.request_id
    assert ok_info.request_id is not None
    assert ok_info.request_id != err.request_id
