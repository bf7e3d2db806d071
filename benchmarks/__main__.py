"""Run every benchmark and print its table (PostgreSQL rows need ``KRATY_TEST_PG_URL``):

    .ci/with-postgres uv run --all-extras python -m benchmarks

Figures are measurements on whatever machine runs this, never assertions.
"""

from __future__ import annotations

import sys

from benchmarks import (
    client_overhead,
    credits,
    debits,
    fixture_cost,
    idle,
    migration_engine,
    server_cost,
    webhooks_throughput,
)

SUITE = [
    (
        "The SDK's own cost: client CPU per credit and import, against its HTTP library",
        client_overhead.main,
    ),
    ("Bulk import: the product page's loop vs the streaming engine", migration_engine.main),
    ("Server CPU per credit: Kraty Local, the essential app, the raw floor", server_cost.main),
    ("Wallet credits under concurrency", credits.main),
    ("Game-client debits (/sdk/v1) under concurrency", debits.main),
    ("Webhook delivery", webhooks_throughput.main),
    ("Idle CPU", idle.main),
    ("The kraty_local pytest fixture: plugin load and per-test cost", fixture_cost.main),
]


def main() -> None:
    """Run each benchmark with its default arguments."""
    for title, run in SUITE:
        print(f"\n## {title}\n", flush=True)
        sys.argv = [sys.argv[0]]
        run()


if __name__ == "__main__":
    main()
