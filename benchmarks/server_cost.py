"""Server CPU per wallet credit: Kraty Local against the same stack doing only the essential work,
and the raw ``sqlite3`` floor, in one run with interleaved rounds.

Both servers run at once, each pinned to the same core; every round sends ``--credits``
sequential credits (one client, unique keys, 64 players) to each server in turn and reads the
server's CPU time from ``/proc`` before and after; the floor runs the same four statements in
this process (``time.process_time``). Medians over the rounds, minimums in brackets (noise only
adds). SQLite, the default bench world (no webhook endpoint). Run:

    uv run --all-extras python -m benchmarks.server_cost [--rounds 7] [--credits 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from benchmarks import _essential
from benchmarks._local_server import (
    BENCH_KEY,
    SERVER_CORE,
    Served,
    bench_world,
    free_port,
    http_lib,
    local_process,
    scratch,
    serve_process,
)

PLAYERS = 64


def credits_cpu(served: Served, credits: int) -> float:
    """Server CPU seconds per credit over ``credits`` sequential credits."""
    run = uuid.uuid4().hex
    headers = {"Authorization": f"Bearer {BENCH_KEY}"}
    with http_lib.Client(base_url=served.base_url, headers=headers, timeout=60) as http:
        http.get("/server/v1/ping")
        before = served.cpu()
        for n in range(credits):
            response = http.post(
                f"/server/v1/players/bench-{n % PLAYERS}/wallet/gold/credit",
                json={"amount": 1, "idempotencyKey": f"{run}-{n}"},
            )
            if response.status_code != 200:
                raise SystemExit(f"unexpected {response.status_code}: {response.text[:200]}")
        return (served.cpu() - before) / credits


def floor_cpu(db: str, credits: int) -> float:
    """This process's CPU seconds per credit of the raw sqlite3 loop."""
    before = time.process_time()
    _essential.floor(db, credits, PLAYERS)
    return (time.process_time() - before) / credits


def main() -> None:
    """Interleave the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--credits", type=int, default=300, help="credits per round and variant")
    args = parser.parse_args()
    samples: dict[str, list[float]] = {"Kraty Local": [], "essential app": [], "raw sqlite3": []}
    with scratch() as place, ExitStack() as stack:
        directory = Path(place)
        floor_db = str(directory / "floor.sqlite")
        _essential.prepare(floor_db)
        port = free_port()
        essential = stack.enter_context(
            serve_process(
                [sys.executable, "-m", "benchmarks._essential", str(port), str(directory / "e.db")],
                port,
            )
        )
        kraty = stack.enter_context(local_process(world=bench_world(directory)))
        os.sched_setaffinity(0, {SERVER_CORE})  # the floor on the servers' core too
        for server in (kraty, essential):  # warm-up: players, holdings, caches
            credits_cpu(server, PLAYERS * 2)
        floor_cpu(floor_db, PLAYERS * 2)
        for _ in range(args.rounds):
            samples["Kraty Local"].append(credits_cpu(kraty, args.credits))
            samples["essential app"].append(credits_cpu(essential, args.credits))
            samples["raw sqlite3"].append(floor_cpu(floor_db, args.credits))
    print(f"Server CPU per credit, SQLite, {args.rounds} rounds x {args.credits} credits")
    print(f"{'variant':<16} {'median':>10} {'(min)':>10} {'vs essential':>13} {'vs floor':>9}")
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, values in samples.items():
        med = medians[name]
        print(
            f"{name:<16} {med * 1e3:>7.3f} ms {min(values) * 1e3:>7.3f} ms"
            f" {med / medians['essential app']:>12.2f}x {med / medians['raw sqlite3']:>8.1f}x"
        )


if __name__ == "__main__":
    main()
