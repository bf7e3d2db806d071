"""The SDK's own cost: client CPU per ``wallet.credit`` and ``import kraty_admin``, vs its HTTP lib.

(a) Per-call client CPU (``time.process_time``, and its user part) of ``KratyAdmin.wallet.credit``
against a bare client of the SDK's HTTP library (``httpx2.Client``; ``httpx.Client`` on Python
3.10) sending the same POST (same headers, same compact JSON body with a fresh
``idempotencyKey``, the ``data`` object decoded), both to one fixed server in its own process
that answers every request with the same 200 JSON. (b) ``import kraty_admin`` against ``import
httpx2`` (``httpx`` on 3.10) in fresh interpreters: the CPU time of the import statement
(``process_time`` around it, in the child) and of the whole ``python -c`` process (10 ms ticks).
(c) Building (and closing) a ``KratyAdmin`` against a default ``httpx2.Client()``, which loads
the CA certificates into a new SSL context each time. All run ``--rounds`` interleaved rounds
(alternating which side goes first) and print medians and ratios:

    uv run --all-extras python -m benchmarks.client_overhead
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from kraty_admin import KratyAdmin, __version__
from kraty_admin._http import LIBRARY

# The HTTP library the SDK uses here (httpx2 on Python 3.11+, httpx on 3.10).
http_lib = importlib.import_module(LIBRARY)

KEY = "sk_test_bench.overhead"
PLAYER, ECONOMY = "p1", "gold"
Call = Callable[[], object]
T = TypeVar("T")


@contextmanager
def fixed_server() -> Iterator[str]:
    """Run :mod:`benchmarks._fixed_server` in a subprocess; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._fixed_server"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        yield f"http://127.0.0.1:{process.stdout.readline().strip()}"
    finally:
        process.terminate()
        process.wait()


def sdk_credit(kraty: KratyAdmin) -> Call:
    """One ``kraty.wallet.credit``."""
    return lambda: kraty.wallet.credit(PLAYER, ECONOMY, 1)


def bare_credit(http: Any, base_url: str) -> Call:
    """The same POST by hand: the SDK's headers and body bytes, the ``data`` object decoded."""
    url = f"{base_url}/server/v1/players/{PLAYER}/wallet/{ECONOMY}/credit"
    http.headers.update(
        {
            "Authorization": f"Bearer {KEY}",
            "Accept": "application/json",
            "User-Agent": (
                f"kraty-admin/{__version__} python/{platform.python_version()} "
                f"{LIBRARY}/{http_lib.__version__}"
            ),
            "X-Kraty-SDK": f"kraty-admin/{__version__}",
            "Content-Type": "application/json",
        }
    )

    def credit() -> object:
        body = {"amount": 1, "idempotencyKey": str(uuid.uuid4())}
        content = json.dumps(body, separators=(",", ":")).encode()
        return http.post(url, content=content).json()["data"]

    return credit


def construction_cpu(build: Callable[[], Any], count: int) -> float:
    """CPU seconds to build and close one client, over ``count`` of them."""
    start = time.process_time()
    for _ in range(count):
        build().close()
    return (time.process_time() - start) / count


def cpu_per_call(call: Call, calls: int) -> tuple[float, float]:
    """Client CPU seconds per call over ``calls`` calls: (user + system, user only).

    Both sides send identical bytes, so the system part (socket calls) is the same work; it
    varies with scheduling against the server process, the user part is the clients' own.
    """
    start, user = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_utime
    for _ in range(calls):
        call()
    user = resource.getrusage(resource.RUSAGE_SELF).ru_utime - user
    return (time.process_time() - start) / calls, user / calls


# Imports read cached bytecode, as from an installed package (a warm-up run writes it).
_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
_TIMED_IMPORT = (
    "import time; t = time.process_time(); import {module}; print(time.process_time() - t)"
)


def import_cost(module: str) -> tuple[float, float]:
    """``import module`` in a fresh interpreter: (CPU of the import, CPU of the process), in s."""
    before = os.times()
    result = subprocess.run(
        [sys.executable, "-c", _TIMED_IMPORT.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        env=_ENV,
    )
    after = os.times()
    process = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return float(result.stdout), process


def interleaved(rounds: int, sides: Mapping[str, Callable[[], T]]) -> dict[str, list[T]]:
    """Run each side once per round, alternating which goes first; every result per side."""
    results: dict[str, list[T]] = {name: [] for name in sides}
    names = list(sides)
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else reversed(names):
            results[name].append(sides[name]())
    return results


def row(title: str, unit: str, scale: float, ours: list[float], theirs: list[float]) -> str:
    """A table row: both medians and their ratio, then the same for minimums (noise only adds)."""
    cells = []
    for pick in (statistics.median, min):
        mine, base = pick(ours), pick(theirs)
        cells += [f"{mine * scale:.1f} {unit}", f"{base * scale:.1f} {unit}", f"{mine / base:.3f}x"]
    return f"| {title} | {' | '.join(cells)} |"


def main() -> None:
    """Measure both and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (>= 11)")
    parser.add_argument("--calls", type=int, default=1000, help="credits per side per round")
    parser.add_argument("--clients", type=int, default=10, help="clients built per side per round")
    args = parser.parse_args()
    with (
        fixed_server() as base_url,
        KratyAdmin(KEY, base_url=base_url) as kraty,
        http_lib.Client() as http,
    ):
        calls = {"sdk": sdk_credit(kraty), "bare": bare_credit(http, base_url)}
        for call in calls.values():  # warm up: connections, caches
            cpu_per_call(call, 200)
        cpu = interleaved(
            args.rounds,
            {
                name: functools.partial(cpu_per_call, call, args.calls)
                for name, call in calls.items()
            },
        )
    modules = {name: functools.partial(import_cost, name) for name in ("kraty_admin", LIBRARY)}
    for measure in modules.values():  # warm up: bytecode, file system caches
        measure()
    imports = interleaved(args.rounds, modules)
    builders: dict[str, Callable[[], Any]] = {
        "sdk": lambda: KratyAdmin(KEY, base_url="https://api.test"),
        "bare": http_lib.Client,
    }
    for build in builders.values():  # warm up: the SDK's shared SSL context
        construction_cpu(build, 1)
    built = interleaved(
        args.rounds,
        {
            name: functools.partial(construction_cpu, build, args.clients)
            for name, build in builders.items()
        },
    )
    ours, theirs = imports["kraty_admin"], imports[LIBRARY]
    print(f"{args.rounds} interleaved rounds\n")
    print(
        f"| measure | kraty_admin | {LIBRARY} | ratio | kraty_admin (min) | {LIBRARY} (min) "
        "| ratio (min) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    sdk, bare = cpu["sdk"], cpu["bare"]
    print(row("client CPU per credit", "us", 1e6, [s[0] for s in sdk], [b[0] for b in bare]))
    print(row("client user CPU per credit", "us", 1e6, [s[1] for s in sdk], [b[1] for b in bare]))
    print(row("import CPU", "ms", 1e3, [o[0] for o in ours], [t[0] for t in theirs]))
    print(
        row("`python -c 'import ...'` CPU", "ms", 1e3, [o[1] for o in ours], [t[1] for t in theirs])
    )
    print(row("client construction CPU", "ms", 1e3, built["sdk"], built["bare"]))


if __name__ == "__main__":
    main()
