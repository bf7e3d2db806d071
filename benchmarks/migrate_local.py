"""Bulk-migration throughput: players, then wallet rows, into a fresh SQLite Kraty Local.

Sends ``--rows`` rows per table through the SDK (``KratyAdmin.migrate.players`` and
``.wallet``) in sequential batches of ``--batch`` rows, over a real socket, and prints rows per
second for each table. Run: ``uv run python benchmarks/migrate_local.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from kraty_admin import KratyAdmin
from kraty_local.server import LocalServer

Row = dict[str, Any]


def chunked(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    """Consecutive lists of ``size`` rows (the last may be shorter)."""
    while batch := list(islice(rows, size)):
        yield batch


def timed_import(
    send: Callable[[Sequence[Row]], Any], rows: Iterator[Row], batch_size: int
) -> tuple[int, float]:
    """Send every batch in turn; the number of rows applied and the seconds it took."""
    applied = 0
    start = time.perf_counter()
    for batch in chunked(rows, batch_size):
        outcome = send(batch)
        if outcome["failed"]:
            raise SystemExit(f"unexpected failures: {outcome['failures'][:3]}")
        applied += outcome["applied"]
    return applied, time.perf_counter() - start


def main() -> None:
    """Run the two imports and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per table")
    parser.add_argument("--batch", type=int, default=1000, help="rows per request (max 1000)")
    args = parser.parse_args()

    def players() -> Iterator[Row]:
        for i in range(args.rows):
            yield {
                "externalPlayerId": f"player_{i}",
                "idempotencyKey": f"player_{i}",
                "contextSnapshot": {"country": "PT", "level": i % 60},
            }

    def wallet() -> Iterator[Row]:
        for i in range(args.rows):
            yield {
                "externalPlayerId": f"player_{i}",
                "economyKey": "gold",
                "amount": 100 + i % 1000,
                "reason": "migration",
                "idempotencyKey": f"player_{i}:gold",
            }

    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalServer(db=Path(tmp) / "kraty-local.sqlite") as server,
        KratyAdmin(api_key=server.api_key, base_url=server.base_url, timeout=120) as kraty,
    ):
        print(f"{'table':<10} {'rows':>9} {'seconds':>9} {'rows/s':>9}")
        for name, send, rows in (
            ("players", kraty.migrate.players, players()),
            ("wallet", kraty.migrate.wallet, wallet()),
        ):
            applied, seconds = timed_import(send, rows, args.batch)
            print(f"{name:<10} {applied:>9} {seconds:>9.2f} {applied / seconds:>9.0f}")


if __name__ == "__main__":
    main()
