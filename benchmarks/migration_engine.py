"""Bulk import into Kraty Local on SQLite: the product page's loop vs the streaming engine.

For each way of importing, a fresh server gets N players and then N wallet rows; the client runs
in its own process so its peak RSS is its own. The first row is the floor: the same rows written
with raw ``sqlite3`` into the same schema (:mod:`benchmarks._migration_floor`). Run:

    uv run --all-extras python -m benchmarks.migration_engine [--rows 100000] [--modes sync-1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from itertools import islice
from pathlib import Path
from typing import Any

from benchmarks import _migration_floor
from benchmarks._local_server import BENCH_KEY, cpu_seconds, local_process, scratch

TABLES = ("players", "wallet")
MODES = ["loop"] + [f"{kind}-{c}" for kind in ("sync", "async") for c in (1, 2, 4, 8)]


def players(n: int) -> Any:
    return ({"externalPlayerId": f"m_{i}", "idempotencyKey": f"m_{i}"} for i in range(n))


def wallets(n: int) -> Any:
    return (
        {
            "externalPlayerId": f"m_{i}",
            "economyKey": "gold",
            "amount": 100 + i % 7,
            "idempotencyKey": f"m_{i}:gold",
        }
        for i in range(n)
    )


def client_run(base_url: str, server_pid: int, mode: str, rows: int) -> dict[str, float]:
    """Import in this process; returns seconds and server CPU seconds per table, and the peak
    RSS in MiB."""
    import time

    import anyio

    from kraty_admin import KratyAdmin, KratyAdminAsync

    timings: dict[str, float] = {}
    kind, _, level = mode.partition("-")
    for table, source in zip(TABLES, (players, wallets), strict=True):
        started, cpu = time.perf_counter(), cpu_seconds(server_pid)
        if kind == "loop":  # the product page's hand-written chunking loop
            with KratyAdmin(BENCH_KEY, base_url=base_url) as kraty:
                method = getattr(kraty.migrate, table)
                it = iter(source(rows))
                while chunk := list(islice(it, 1000)):
                    out = method(chunk)
                    assert out["failed"] == 0, out["failures"][:3]
        elif kind == "sync":
            with KratyAdmin(BENCH_KEY, base_url=base_url) as kraty:
                out = getattr(kraty.migrate, f"{table}_all")(source(rows), concurrency=int(level))
                assert out["applied"] == rows, out
        else:

            async def run(table: str = table, source: Any = source) -> None:
                async with KratyAdminAsync(BENCH_KEY, base_url=base_url) as kraty:
                    out = await getattr(kraty.migrate, f"{table}_all")(
                        source(rows), concurrency=int(level)
                    )
                    assert out["applied"] == rows, out

            anyio.run(run)
        timings[table] = time.perf_counter() - started
        timings[f"{table}_cpu"] = cpu_seconds(server_pid) - cpu
    timings["rss_mib"] = peak_rss_mib()
    return timings


def peak_rss_mib() -> float:
    """This process's peak RSS. ``VmHWM`` belongs to the process image, whereas ``ru_maxrss``
    survives ``exec`` and would report the peak of the parent that spawned us."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, rows: int) -> dict[str, float]:
    """One mode against a fresh server, the client in a subprocess."""
    with local_process() as served:
        output = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.migration_engine",
                "--client",
                served.base_url,
                "--server-pid",
                str(served.pid),
                "--mode",
                mode,
                "--rows",
                str(rows),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def floor_row(rows: int) -> str:
    """The raw-sqlite3 floor, as one table row."""
    with scratch() as directory:
        rates = _migration_floor.rows_per_second(str(Path(directory) / "floor.sqlite"), rows)
    return _row("floor", rates[0], rates[1], "(raw sqlite3)")


def _row(mode: str, players: tuple[float, float], wallet: tuple[float, float], rss: str) -> str:
    return (
        f"{mode:<10} {players[0]:>9,.0f} {players[1]:>9,.0f} {wallet[0]:>9,.0f}"
        f" {wallet[1]:>9,.0f} {rss:>16}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        print(json.dumps(client_run(args.client, args.server_pid, args.mode, args.rows)))
        return
    print(f"Import of {args.rows:,} players, then {args.rows:,} wallet rows (Kraty Local, SQLite)")
    print("rows/s: wall clock; per CPU s: rows per second of the server's (or floor's) CPU")
    print(
        f"{'mode':<10} {'players':>9} {'per CPU s':>9} {'wallet':>9} {'per CPU s':>9}"
        f" {'client peak RSS':>16}"
    )
    print(floor_row(args.rows), flush=True)
    for mode in args.modes.split(","):
        result = measure(mode, args.rows)
        rates = [(args.rows / result[t], args.rows / result[f"{t}_cpu"]) for t in TABLES]
        print(_row(mode, rates[0], rates[1], f"{result['rss_mib']:.1f} MiB"), flush=True)


if __name__ == "__main__":
    main()
