"""What the ``kraty_local`` pytest fixture costs a studio's test suite.

- **Plugin load**: CPU of ``import kraty_admin.testing`` after ``import pytest`` and
  ``import kraty_admin`` (what every pytest session pays once pytest loads the plugin),
  in fresh interpreters.
- **Per test**: a generated test file of ``--tests`` tests, each taking ``kraty_local`` and
  pinging it, run by pytest in one process; setup + call + teardown of each test, the first
  (which builds the session's server and migrated template) reported apart.

    uv run --all-extras python -m benchmarks.fixture_cost [--tests 60] [--rounds 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_LOAD_PROBE = (
    "import time, pytest, kraty_admin; started = time.process_time(); "
    "import kraty_admin.testing; print((time.process_time() - started) * 1000)"
)
_TEST = "def test_{n}(kraty_local):\n    assert kraty_local.client.health.ping()['ok']\n\n\n"
# A plugin for the measured run: each test's phases, summed, into a JSON file.
_RECORDER = """
import json, pytest
durations = {}
def pytest_runtest_logreport(report):
    durations[report.nodeid] = durations.get(report.nodeid, 0.0) + report.duration
def pytest_sessionfinish(session):
    with open("durations.json", "w") as out:
        json.dump(list(durations.values()), out)
"""


def plugin_load_ms(rounds: int) -> list[float]:
    """CPU milliseconds of loading the plugin, one fresh interpreter per round."""
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", _LOAD_PROBE], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(rounds)
    ]


def per_test_ms(tests: int) -> list[float]:
    """Wall milliseconds of each test (setup + call + teardown), in order."""
    with tempfile.TemporaryDirectory(prefix="kraty-fixture-cost-") as scratch:
        folder = Path(scratch)
        (folder / "test_generated.py").write_text("".join(_TEST.format(n=n) for n in range(tests)))
        (folder / "conftest.py").write_text(_RECORDER)
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
        durations: list[float] = json.loads((folder / "durations.json").read_text())
    return [seconds * 1000 for seconds in durations]


def main() -> None:
    """Print both measures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    load = plugin_load_ms(args.rounds)
    print(f"plugin load: median {statistics.median(load):.2f} ms CPU (min {min(load):.2f})")
    first, *rest = per_test_ms(args.tests)
    print(f"first test (builds the session's server and template): {first:.0f} ms")
    print(
        f"each further test: median {statistics.median(rest):.1f} ms, "
        f"p90 {statistics.quantiles(rest, n=10)[-1]:.1f} ms ({len(rest)} tests)"
    )


if __name__ == "__main__":
    main()
