"""Idle CPU: what a Kraty Local with nothing to do costs, over ``--seconds`` of no requests.

A fresh server (the bench world: no webhook endpoint) answers one request, settles for two
seconds, then the CPU time of its processes (every worker included) is read from ``/proc``
before and after the idle window; ``--rounds`` windows per case, each on a fresh server. Cases:
SQLite, and with a PostgreSQL server (``--pg-url`` or ``$KRATY_TEST_PG_URL``) one process and
``--workers 2`` on a fresh database. Run:

    .ci/with-postgres uv run --all-extras python -m benchmarks.idle [--seconds 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks._local_server import BENCH_KEY, bench_world, http_lib, local_process, scratch
from benchmarks.credits import fresh_postgres


@dataclass(frozen=True)
class Usage:
    """What a process tree has used so far: CPU seconds and wake-ups (voluntary switches)."""

    cpu: float
    wakeups: int

    def __sub__(self, earlier: Usage) -> Usage:
        return Usage(self.cpu - earlier.cpu, self.wakeups - earlier.wakeups)


def tree_usage(pid: int) -> Usage:
    """The :class:`Usage` of every thread of ``pid`` and of its descendants still running.

    CPU comes from each thread's ``schedstat`` (nanoseconds: ``stat``'s clock ticks are too
    coarse for an idle process); a thread that sleeps and wakes counts one voluntary switch.
    """
    cpu, wakeups, pending = 0, 0, [pid]
    while pending:
        current = pending.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                cpu += int((task / "schedstat").read_text().split()[0])
                status = (task / "status").read_text()
                wakeups += int(status.split("voluntary_ctxt_switches:")[1].split()[0])
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except FileNotFoundError:  # it exited meanwhile: it is idle no more
            continue
    return Usage(cpu / 1e9, wakeups)


def idle_usage(world: Path, seconds: float, db: str | None, workers: int) -> Usage:
    """What one fresh server's processes use over ``seconds`` without requests."""
    with local_process(db, workers=workers, world=world) as served:
        http_lib.get(
            f"{served.base_url}/server/v1/ping", headers={"Authorization": f"Bearer {BENCH_KEY}"}
        )
        time.sleep(2)
        before = tree_usage(served.pid)
        time.sleep(seconds)
        return tree_usage(served.pid) - before


def main() -> None:
    """Measure and print each case's idle CPU and wake-ups (medians; every round's CPU)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg-url", default=os.environ.get("KRATY_TEST_PG_URL"))
    args = parser.parse_args()
    cases = [("SQLite, 1 process", False, 1)]
    if args.pg_url:
        cases += [("PostgreSQL, 1 process", True, 1), ("PostgreSQL, 2 workers", True, 2)]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with scratch() as directory:
        world = bench_world(Path(directory))
        for name, postgres, workers in cases:
            used: list[Usage] = []
            for _ in range(args.rounds):
                if not postgres:
                    used.append(idle_usage(world, args.seconds, None, workers))
                    continue
                with fresh_postgres(args.pg_url, "kraty_bench_idle") as fresh:
                    used.append(idle_usage(world, args.seconds, fresh, workers))
            cpu = statistics.median(u.cpu for u in used)
            wakeups = statistics.median(u.wakeups for u in used) / args.seconds
            rounds = ", ".join(f"{u.cpu * 1000:.1f}" for u in used)
            print(
                f"{name}: {cpu * 1000:.1f} ms CPU over {args.seconds:.0f} s idle"
                f" ({cpu / args.seconds * 100:.3f} % of a core), {wakeups:.1f} wake-ups/s;"
                f" rounds: {rounds} ms"
            )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
