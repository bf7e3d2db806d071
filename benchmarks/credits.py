"""Wallet credits per second, with p50/p99 latency, on SQLite and on PostgreSQL (1 and 2 workers).

Each configuration gets a fresh database and its own Kraty Local on loopback (a world whose rate
limit the benchmark never reaches), a warm-up, then ``--requests`` credits with unique
idempotency keys from ``--clients`` threads, spread over ``--players`` players. PostgreSQL rows
need a server URL (``--pg-url`` or ``$KRATY_TEST_PG_URL``); ``.ci/with-postgres`` provides one:

    .ci/with-postgres uv run --all-extras python -m benchmarks.credits
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks._local_server import BENCH_KEY, local_server
from kraty_admin._http import LIBRARY
from kraty_local.db import database_url

# The HTTP library the SDK uses here (httpx2 on Python 3.11+, httpx on 3.10).
http_lib = importlib.import_module(LIBRARY)

_EXAMPLE_WORLD = Path(__file__).parents[1] / "src" / "kraty_local" / "world.example.toml"


@dataclass(frozen=True)
class Result:
    """One configuration's figures."""

    name: str
    per_second: float
    p50_ms: float
    p99_ms: float


def _credit(http: http_lib.Client, base_url: str, n: int, players: int, run: str) -> float:
    """One credit with a fresh key; its latency in seconds."""
    start = time.perf_counter()
    response = http.post(
        f"{base_url}/server/v1/players/bench-{n % players}/wallet/gold/credit",
        json={"amount": 1, "idempotencyKey": f"{run}-{n}"},
        headers={"Authorization": f"Bearer {BENCH_KEY}"},
    )
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"unexpected {response.status_code}: {response.text[:200]}")
    return elapsed


def measure(name: str, base_url: str, args: argparse.Namespace) -> Result:
    """Warm up, then time ``args.requests`` credits from ``args.clients`` threads."""
    limits = http_lib.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    with (
        http_lib.Client(timeout=60, limits=limits) as http,
        ThreadPoolExecutor(args.clients) as pool,
    ):
        list(pool.map(lambda n: _credit(http, base_url, n, args.players, "warm"), range(100)))
        start = time.perf_counter()
        latencies = list(
            pool.map(
                lambda n: _credit(http, base_url, n, args.players, "run"), range(args.requests)
            )
        )
        wall = time.perf_counter() - start
    cuts = statistics.quantiles(latencies, n=100)
    return Result(name, args.requests / wall, cuts[49] * 1000, cuts[98] * 1000)


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


def main() -> None:
    """Run every configuration and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="timed credits per row")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--players", type=int, default=64, help="players the credits spread over")
    parser.add_argument("--pg-url", default=os.environ.get("KRATY_TEST_PG_URL"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="kraty-bench-") as scratch:
        world = Path(scratch) / "world.toml"
        world.write_text(
            _EXAMPLE_WORLD.read_text().replace(
                "requests_per_second = 200\nburst = 400",
                "requests_per_second = 1e6\nburst = 1000000",
            )
        )
        with local_server(world=world) as base_url:
            results.append(measure("SQLite, 1 worker", base_url, args))
        if args.pg_url:
            for workers in (1, 2):
                with (
                    fresh_postgres(args.pg_url, f"kraty_bench_{workers}") as db,
                    local_server(db, workers=workers, world=world) as base_url,
                ):
                    name = f"PostgreSQL, {workers} worker{'s' if workers > 1 else ''}"
                    results.append(measure(name, base_url, args))
    print(f"{args.requests} credits, {args.clients} client threads, {args.players} players")
    print(f"{'configuration':<24} {'credits/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for r in results:
        print(f"{r.name:<24} {r.per_second:>10.0f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f}")
    if not args.pg_url:
        print("(PostgreSQL skipped: pass --pg-url or set KRATY_TEST_PG_URL)")


if __name__ == "__main__":
    main()
