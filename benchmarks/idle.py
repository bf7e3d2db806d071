"""Idle CPU: what a Kraty Local with nothing to do costs, over ``--seconds`` of no requests.

A fresh SQLite server (the bench world: no webhook endpoint) answers one request, settles for
two seconds, then its CPU time is read from ``/proc`` before and after the idle window. Run:

    uv run --all-extras python -m benchmarks.idle [--seconds 10]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks._local_server import BENCH_KEY, bench_world, http_lib, local_process, scratch


def main() -> None:
    """Measure and print the idle CPU."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with (
        scratch() as directory,
        local_process(world=bench_world(Path(directory))) as served,
    ):
        http_lib.get(
            f"{served.base_url}/server/v1/ping", headers={"Authorization": f"Bearer {BENCH_KEY}"}
        )
        time.sleep(2)
        before = served.cpu()
        time.sleep(args.seconds)
        used = served.cpu() - before
    print(
        f"Idle CPU over {args.seconds:.0f} s: {used * 1000:.0f} ms"
        f" ({used / args.seconds * 100:.2f} % of a core)"
    )


if __name__ == "__main__":
    main()
