"""Wallet credits per second, p50/p99 latency and server CPU per credit, at 1, 4 and 16 clients,
on SQLite and on PostgreSQL (one worker each).

Each engine gets a fresh database and its own Kraty Local on loopback, pinned to one core (the
bench world: no rate limit in reach, no webhook endpoint), a warm-up, then ``--requests``
credits with unique idempotency keys from each number of client threads in turn, spread over
``--players`` players. An answer other than 200 is counted (a 503 under load shows as
``busy``). The client threads run off the server's core, and their process's start-up objects
are frozen out of its garbage collector: a 90 ms full collection in the client would otherwise
show up as the server's p99. PostgreSQL rows need a server URL (``--pg-url`` or
``$KRATY_TEST_PG_URL``); ``.ci/with-postgres`` provides one:

    .ci/with-postgres uv run --all-extras python -m benchmarks.credits
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks._local_server import (
    BENCH_KEY,
    SERVER_CORE,
    Served,
    bench_world,
    http_lib,
    local_process,
    scratch,
)
from kraty_local.db import database_url


@dataclass(frozen=True)
class Result:
    """One configuration's figures."""

    name: str
    clients: int
    per_second: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    failed: int


#: One timed write: given the client, the request's number and the run's id, its response.
Send = Callable[[Any, int, str], Any]
#: Makes a served, empty Kraty Local ready for the case: its client's headers and its write.
Prepare = Callable[[Served, argparse.Namespace], tuple[dict[str, str], Send]]


def _timed(send: Send, http: Any, n: int, run: str) -> tuple[float, int]:
    """One write; its latency in seconds and its status."""
    start = time.perf_counter()
    response = send(http, n, run)
    return time.perf_counter() - start, response.status_code


def measure(
    name: str,
    served: Served,
    clients: int,
    args: argparse.Namespace,
    case: tuple[dict[str, str], Send],
) -> Result:
    """Warm up, then time ``args.requests`` writes from ``clients`` threads."""
    headers, send = case
    limits = http_lib.Limits(max_connections=clients, max_keepalive_connections=clients)
    run = uuid.uuid4().hex
    with (
        http_lib.Client(
            base_url=served.base_url, headers=headers, timeout=60, limits=limits
        ) as http,
        ThreadPoolExecutor(clients) as pool,
    ):
        list(pool.map(lambda n: _timed(send, http, n, f"warm{run}"), range(100)))
        gc.collect()
        gc.freeze()
        cpu = served.cpu()
        start = time.perf_counter()
        outcomes = list(pool.map(lambda n: _timed(send, http, n, run), range(args.requests)))
        wall = time.perf_counter() - start
        cpu = served.cpu() - cpu
    latencies = [elapsed for elapsed, _ in outcomes]
    failed = sum(status != 200 for _, status in outcomes)
    cuts = statistics.quantiles(latencies, n=100)
    return Result(
        name,
        clients,
        args.requests / wall,
        cuts[49] * 1000,
        cuts[98] * 1000,
        cpu / args.requests * 1000,
        failed,
    )


def credits_case(_served: Served, args: argparse.Namespace) -> tuple[dict[str, str], Send]:
    """Server credits of 1 with fresh keys, spread over ``args.players`` players."""

    def credit(http: Any, n: int, run: str) -> Any:
        return http.post(
            f"/server/v1/players/bench-{n % args.players}/wallet/gold/credit",
            json={"amount": 1, "idempotencyKey": f"{run}-{n}"},
        )

    return {"Authorization": f"Bearer {BENCH_KEY}"}, credit


@contextmanager
def fresh_postgres(server_url: str, name: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server; dropped afterwards."""
    server = make_url(database_url(server_url))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    statements = (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(statements[0]))
    finally:
        admin.dispose()


def run(what: str, prepare: Prepare, doc: str) -> None:
    """Parse the command line, time ``what`` (credits, debits) on each engine and client count,
    and print the table; ``prepare`` readies each fresh server for the case."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help=f"timed {what} per row")
    parser.add_argument("--clients", default="1,4,16", help="client thread counts, in turn")
    parser.add_argument("--players", type=int, default=64, help=f"players the {what} spread over")
    parser.add_argument("--pg-url", default=os.environ.get("KRATY_TEST_PG_URL"))
    args = parser.parse_args()
    counts = [int(n) for n in args.clients.split(",")]
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)) - {SERVER_CORE})
    results = []
    with scratch() as directory:
        world = bench_world(Path(directory))
        with local_process(world=world) as served:
            case = prepare(served, args)
            results += [measure("SQLite", served, n, args, case) for n in counts]
        if args.pg_url:
            with (
                fresh_postgres(args.pg_url, "kraty_bench") as db,
                local_process(db, world=world) as served,
            ):
                case = prepare(served, args)
                results += [measure("PostgreSQL", served, n, args, case) for n in counts]
    unit = what[:-1]
    print(f"{args.requests} {what} per row over {args.players} players, one server worker")
    print(
        f"{'engine':<11} {'clients':>7} {what + '/s':>10} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'CPU/' + unit:>11} {'not 200':>8}"
    )
    for r in results:
        print(
            f"{r.name:<11} {r.clients:>7} {r.per_second:>10.0f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f}"
            f" {r.cpu_ms:>8.2f} ms {r.failed:>8}"
        )
    if not args.pg_url:
        print("(PostgreSQL skipped: pass --pg-url or set KRATY_TEST_PG_URL)")


def main() -> None:
    """Time server credits and print the table."""
    run("credits", credits_case, __doc__)


if __name__ == "__main__":
    main()
