"""The streaming migration engine: ``migrate.players_all`` / ``wallet_all`` / ``inventory_all``.

Every behaviour test runs three times: on the sync client (threads), and on the async client
under asyncio and under trio. Retries use a zero-delay policy, so no test waits for a backoff.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from kraty_admin import (
    KratyAdmin,
    KratyAdminAsync,
    KratyServerError,
    MigrationProgress,
    RetryConfig,
)
from kraty_admin._migration import derive_key
from kraty_admin.types import MigrationOutcome
from tests._http import RespxRequest, RespxResponse, http_lib, mock_http

KEY = "sk_test_engine_key"
BASE = "https://kraty.test"
NO_WAIT = RetryConfig(attempts=3, initial_delay=0, max_delay=0, jitter=0)

Handler = Callable[[RespxRequest], RespxResponse]


@dataclass
class Flavour:
    """One way of running an import: the sync client, or the async one on an anyio backend."""

    name: str
    backend: str | None  # None: the sync client

    def run(self, table: str, rows: Any, **options: Any) -> MigrationOutcome:
        """``migrate.<table>_all(rows, **options)`` on a fresh client of this flavour."""
        if self.backend is None:
            with KratyAdmin(KEY, base_url=BASE, retry=NO_WAIT) as kraty:
                result: MigrationOutcome = getattr(kraty.migrate, f"{table}_all")(rows, **options)
                return result

        async def main() -> MigrationOutcome:
            async with KratyAdminAsync(KEY, base_url=BASE, retry=NO_WAIT) as kraty:
                outcome: MigrationOutcome = await getattr(kraty.migrate, f"{table}_all")(
                    rows, **options
                )
                return outcome

        return anyio.run(main, backend=self.backend)

    def slow(self, handler: Handler, gauge: Gauge, seconds: float = 0.02) -> Any:
        """A respx side effect that holds each request ``seconds`` while ``gauge`` counts it."""
        if self.backend is None:

            def sync_effect(request: RespxRequest) -> RespxResponse:
                with gauge:
                    time.sleep(seconds)
                return handler(request)

            return sync_effect

        async def async_effect(request: RespxRequest) -> RespxResponse:
            with gauge:
                await anyio.sleep(seconds)
            return handler(request)

        return async_effect


FLAVOURS = [Flavour("sync", None), Flavour("asyncio", "asyncio"), Flavour("trio", "trio")]


@pytest.fixture(params=FLAVOURS, ids=lambda flavour: flavour.name)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    return request.param  # type: ignore[no-any-return]


class Gauge:
    """Counts requests in progress (thread-safe) and remembers the peak."""

    def __init__(self) -> None:
        self.current = 0
        self.peak = 0
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            self.current += 1
            self.peak = max(self.peak, self.current)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.current -= 1


class Server:
    """A fake migration endpoint: applies every row except those with ``"bad": true``."""

    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self._lock = threading.Lock()

    def __call__(self, request: RespxRequest) -> RespxResponse:
        rows = json.loads(request.content)["rows"]
        with self._lock:
            self.batches.append(rows)
        failures = [
            {"rowIndex": i, "externalPlayerId": row["externalPlayerId"], "error": BAD_ROW}
            for i, row in enumerate(rows)
            if row.get("bad")
        ]
        outcome = {
            "applied": len(rows) - len(failures),
            "skipped": 0,
            "failed": len(failures),
            "failures": failures,
        }
        return RespxResponse(200, json={"data": outcome})

    def sent_players(self) -> list[str]:
        return sorted((row["externalPlayerId"] for b in self.batches for row in b), key=_num)


BAD_ROW = {"code": "not_found", "message": "no such player"}


def _num(player: str) -> int:
    return int(player[1:])


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with mock_http(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def server(api: respx.MockRouter) -> Server:
    fake = Server()
    for table in ("players", "wallet", "inventory"):
        api.post(f"/server/v1/migrate/{table}").mock(side_effect=fake)
    return fake


def players(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"externalPlayerId": f"p{i}", "idempotencyKey": f"k{i}"} for i in range(start, count)]


# --- batching and outcome --------------------------------------------------------------------


def test_batches_carry_global_row_indexes(flavour: Flavour, server: Server) -> None:
    rows = players(2500)
    for bad in (5, 1500, 2499):
        rows[bad] = {**rows[bad], "bad": True}

    outcome = flavour.run("players", iter(rows), concurrency=2)

    assert sorted(len(batch) for batch in server.batches) == [500, 1000, 1000]
    assert outcome["applied"] == 2497
    assert outcome["failed"] == 3
    assert [f["rowIndex"] for f in outcome["failures"]] == [5, 1500, 2499]
    assert [f["externalPlayerId"] for f in outcome["failures"]] == ["p5", "p1500", "p2499"]
    assert server.sent_players() == [f"p{i}" for i in range(2500)]


@pytest.mark.parametrize("table", ["wallet", "inventory"])
def test_wallet_and_inventory_stream_to_their_endpoints(
    table: str, api: respx.MockRouter, server: Server
) -> None:
    rows = [{"externalPlayerId": f"p{i}", "amount": 1, "quantity": 1} for i in range(7)]
    outcome = FLAVOURS[0].run(table, rows, batch_size=3, concurrency=1)
    assert outcome["applied"] == 7
    assert [len(batch) for batch in server.batches] == [3, 3, 1]
    assert all(call.request.url.path.endswith(table) for call in api.calls)


def test_empty_input_sends_nothing(flavour: Flavour, server: Server) -> None:
    outcome = flavour.run("players", [])
    assert outcome == {"applied": 0, "skipped": 0, "failed": 0, "failures": []}
    assert server.batches == []


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"batch_size": 0}, ValueError),
        ({"batch_size": 1001}, ValueError),
        ({"batch_size": 2.5}, TypeError),
        ({"concurrency": 0}, ValueError),
    ],
)
def test_bad_options_are_rejected_before_reading(
    flavour: Flavour, server: Server, options: dict[str, Any], problem: type[Exception]
) -> None:
    read = []

    def rows() -> Iterator[dict[str, Any]]:
        read.append(1)
        yield from players(3)

    with pytest.raises(problem):
        flavour.run("players", rows(), **options)
    assert read == []
    assert server.batches == []


def test_a_row_that_is_not_a_mapping_is_a_type_error(flavour: Flavour, server: Server) -> None:
    with pytest.raises(TypeError, match="row 1 is a list"):
        flavour.run("players", [{"externalPlayerId": "p0"}, ["externalPlayerId", "p1"]])


# --- concurrency and memory ------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 3])
def test_at_most_concurrency_batches_in_flight(
    flavour: Flavour, api: respx.MockRouter, server: Server, concurrency: int
) -> None:
    gauge = Gauge()
    api.post("/server/v1/migrate/players").mock(side_effect=flavour.slow(server, gauge))

    outcome = flavour.run("players", players(100), batch_size=10, concurrency=concurrency)

    assert outcome["applied"] == 100
    assert gauge.peak == concurrency


class Counted:
    """An endless row generator that records how far it has been read."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.read = 0
        self.stop_after = stop_after
        self.stop = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for i in itertools.count():
            if self.stop or (self.stop_after is not None and i >= self.stop_after):
                return
            self.read += 1
            yield {"externalPlayerId": f"p{i}"}


def test_input_is_read_lazily(flavour: Flavour, api: respx.MockRouter, server: Server) -> None:
    rows, seen = Counted(stop_after=200), []
    api.post("/server/v1/migrate/players").mock(side_effect=flavour.slow(server, Gauge(), 0.005))

    def on_progress(progress: MigrationProgress) -> None:
        seen.append((progress.rows_done // 10, rows.read))

    flavour.run("players", iter(rows), batch_size=10, concurrency=3, on_progress=on_progress)

    assert len(seen) == 20
    for batches_done, read in seen:
        # what is read is at most: the batches finished, the ones in flight, one being built
        assert read <= (batches_done + 3 + 1) * 10


def test_endless_input_stopped_after_n_batches(flavour: Flavour, server: Server) -> None:
    rows = Counted()

    def on_progress(progress: MigrationProgress) -> None:
        if progress.rows_done >= 50:
            rows.stop = True

    outcome = flavour.run(
        "players", iter(rows), batch_size=10, concurrency=2, on_progress=on_progress
    )

    assert outcome["applied"] == rows.read
    assert 50 <= rows.read <= (5 + 2 + 1) * 10


def test_an_error_from_on_progress_stops_the_import_unwrapped(
    flavour: Flavour, server: Server
) -> None:
    rows = Counted()

    def on_progress(progress: MigrationProgress) -> None:
        if progress.rows_done >= 30:
            raise RuntimeError("enough")

    with pytest.raises(RuntimeError, match="enough"):
        flavour.run("players", iter(rows), batch_size=10, concurrency=2, on_progress=on_progress)
    assert rows.read <= (3 + 2 + 1) * 10


def test_an_error_from_the_input_propagates(flavour: Flavour, server: Server) -> None:
    def rows() -> Iterator[dict[str, Any]]:
        yield from players(25)
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        flavour.run("players", rows(), batch_size=10)


# --- failed batches --------------------------------------------------------------------------


def _failing_batch(server: Server, answer: Callable[[], RespxResponse]) -> Handler:
    """``server``, except the batch holding player ``p10`` gets ``answer`` every time."""
    attempts = []

    def handler(request: RespxRequest) -> RespxResponse:
        if b'"p10"' in request.content:
            attempts.append(1)
            return answer()
        return server(request)

    handler.attempts = attempts  # type: ignore[attr-defined]
    return handler


def test_a_batch_failing_after_retries_reports_every_row(
    flavour: Flavour, api: respx.MockRouter, server: Server
) -> None:
    body = {"error": {"code": "internal_error", "message": "db down", "details": None}}
    handler = _failing_batch(server, lambda: RespxResponse(503, json=body))
    api.post("/server/v1/migrate/players").mock(side_effect=handler)

    outcome = flavour.run("players", players(25), batch_size=10)

    assert len(handler.attempts) == NO_WAIT.attempts  # type: ignore[attr-defined]
    assert outcome["applied"] == 15
    assert outcome["failed"] == 10
    assert [f["rowIndex"] for f in outcome["failures"]] == list(range(10, 20))
    assert outcome["failures"][0] == {
        "rowIndex": 10,
        "externalPlayerId": "p10",
        "error": {"code": "internal_error", "message": "db down"},
        "batchRange": [10, 20],
    }


def test_a_network_failure_is_reported_as_network_error(
    flavour: Flavour, api: respx.MockRouter, server: Server
) -> None:
    def refuse() -> RespxResponse:
        raise http_lib.ConnectError("connection refused")

    api.post("/server/v1/migrate/players").mock(side_effect=_failing_batch(server, refuse))

    outcome = flavour.run("players", players(25), batch_size=10)

    assert outcome["failed"] == 10
    error = outcome["failures"][0]["error"]
    assert error["code"] == "network_error"
    assert "connection refused" in error["message"]


@pytest.mark.parametrize(("status", "code"), [(401, "session_invalid"), (403, "forbidden")])
def test_a_refused_key_raises_instead_of_failing_every_row(
    flavour: Flavour, api: respx.MockRouter, status: int, code: str
) -> None:
    body = {"error": {"code": code, "message": "no", "details": None}}
    api.post("/server/v1/migrate/players").respond(status, json=body)

    with pytest.raises(KratyServerError) as caught:
        flavour.run("players", Counted(), batch_size=10)
    assert caught.value.code == code


# --- idempotency keys ------------------------------------------------------------------------


def test_missing_keys_are_derived_from_content(flavour: Flavour, server: Server) -> None:
    rows = [
        {"externalPlayerId": "p1", "contextSnapshot": {"country": "PT"}},
        {"externalPlayerId": "p2", "idempotencyKey": "mine"},
        {"externalPlayerId": "p3", "idempotencyKey": None},
    ]
    original = json.loads(json.dumps(rows))

    flavour.run("players", rows)
    first = [row["idempotencyKey"] for row in server.batches[0]]
    flavour.run("players", rows)
    second = [row["idempotencyKey"] for row in server.batches[1]]

    assert rows == original  # the caller's rows are never modified
    assert first == second  # stable across runs
    assert first[1] == "mine"
    assert first[0] == derive_key(rows[0])
    assert first[2] == derive_key({"externalPlayerId": "p3"})
    assert all(key.startswith("auto:") for key in (first[0], first[2]))


def test_derived_key_depends_on_content_only() -> None:
    row = {"externalPlayerId": "p1", "economyKey": "gold", "amount": 5}
    assert derive_key(row) == derive_key(dict(reversed(row.items())))
    assert derive_key(row) == derive_key({**row, "idempotencyKey": "ignored"})
    assert derive_key(row) != derive_key({**row, "amount": 6})
    assert len(derive_key(row)) == len("auto:") + 40


@given(st.dictionaries(st.text(), st.integers() | st.text() | st.booleans(), max_size=6))
def test_derived_key_ignores_key_order(row: dict[str, Any]) -> None:
    assert derive_key(row) == derive_key(dict(reversed(list(row.items()))))


# --- progress --------------------------------------------------------------------------------


def test_on_progress_after_each_batch(flavour: Flavour, server: Server) -> None:
    rows = players(25)
    rows[12] = {**rows[12], "bad": True}
    seen: list[MigrationProgress] = []

    flavour.run("players", rows, batch_size=10, concurrency=1, on_progress=seen.append)

    assert [(p.rows_done, p.applied, p.skipped, p.failed) for p in seen] == [
        (10, 10, 0, 0),
        (20, 19, 0, 1),
        (25, 24, 0, 1),
    ]
    assert [(p.batch_index, p.batch_range) for p in seen] == [
        (0, (0, 10)),
        (1, (10, 20)),
        (2, (20, 25)),
    ]
    assert [f["rowIndex"] for f in seen[1].batch_failures] == [12]
    assert seen[0].batch_failures == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        seen[0].applied = 99  # type: ignore[misc]


# --- async inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS[1:], ids=lambda flavour: flavour.name)
def test_async_iterables_are_accepted(flavour: Flavour, server: Server) -> None:
    async def rows() -> AsyncIterator[dict[str, Any]]:
        for row in players(23):
            await anyio.sleep(0)
            yield row

    outcome = flavour.run("players", rows(), batch_size=10)

    assert outcome["applied"] == 23
    assert server.sent_players() == [f"p{i}" for i in range(23)]


# --- resuming: skip_rows (what the CLI's --resume uses) --------------------------------------


def test_skipped_rows_are_read_but_not_sent(flavour: Flavour, server: Server) -> None:
    rows = players(30)
    rows[25] = {**rows[25], "bad": True}
    read: list[int] = []

    def counted() -> Iterator[dict[str, Any]]:
        for position, row in enumerate(rows):
            read.append(position)
            yield row

    outcome = flavour.run("players", counted(), batch_size=10, skip_rows=[(10, 20)])

    assert read == list(range(30))
    assert server.sent_players() == [f"p{i}" for i in [*range(10), *range(20, 30)]]
    assert outcome["applied"] == 19
    assert [f["rowIndex"] for f in outcome["failures"]] == [25]


def test_a_resume_with_the_confirmed_batch_ranges_sends_the_rest(
    flavour: Flavour, server: Server
) -> None:
    confirmed: list[tuple[int, int]] = []

    def record(progress: MigrationProgress) -> None:
        if not progress.batch_failures:
            confirmed.append(progress.batch_range)

    rows = players(25)
    rows[12] = {**rows[12], "bad": True}
    flavour.run("players", rows, batch_size=10, on_progress=record)
    assert sorted(confirmed) == [(0, 10), (20, 25)]  # the final, partial batch too
    server.batches.clear()

    outcome = flavour.run("players", players(25), batch_size=10, skip_rows=confirmed)

    assert server.sent_players() == [f"p{i}" for i in range(10, 20)]
    assert outcome["applied"] == 10


@pytest.mark.parametrize(
    ("skip_rows", "sent"),
    [
        (15, [*range(10, 25)]),  # a count: the batch holding row 15 is only partly skipped
        (20, [*range(20, 25)]),
        ([(0, 5), (5, 10), (18, 30)], [*range(10, 20)]),  # touching ranges merge; past the end
        ([(12, 18)], [*range(25)]),  # inside a batch: nothing skipped
        ([], [*range(25)]),
    ],
)
def test_only_batches_wholly_inside_skip_rows_are_skipped(
    skip_rows: Any, sent: list[int], server: Server
) -> None:
    FLAVOURS[0].run("players", players(25), batch_size=10, skip_rows=skip_rows)
    assert server.sent_players() == [f"p{i}" for i in sent]


@pytest.mark.parametrize(
    ("skip_rows", "error"),
    [
        ([(5, 2)], ValueError),
        ([(-1, 2)], ValueError),
        ([(0, 1, 2)], ValueError),
        ([(0, True)], ValueError),
        ([(0, 1.5)], ValueError),
        (-3, ValueError),
        (None, TypeError),
    ],
)
def test_bad_skip_rows_are_refused_before_anything_is_read(
    flavour: Flavour, skip_rows: Any, error: type[Exception], server: Server
) -> None:
    def never() -> Iterator[dict[str, Any]]:
        raise AssertionError("read")
        yield {}

    with pytest.raises(error, match=r"skip_rows|not iterable"):
        flavour.run("players", never(), skip_rows=skip_rows)
    assert server.batches == []


def test_skip_rows_is_in_the_signature_of_every_import() -> None:
    for kraty in (KratyAdmin(KEY, base_url=BASE), KratyAdminAsync(KEY, base_url=BASE)):
        for table in ("players", "wallet", "inventory"):
            parameter = inspect.signature(getattr(kraty.migrate, f"{table}_all")).parameters
            assert parameter["skip_rows"].default == ()
            assert parameter["skip_rows"].kind is inspect.Parameter.KEYWORD_ONLY
