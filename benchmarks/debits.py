"""Game-client wallet debits (``/sdk/v1``) per second, p50/p99 latency and server CPU per debit,
at 1, 4 and 16 clients, on SQLite and on PostgreSQL (one worker each).

The same run as :mod:`benchmarks.credits`, through the game client's surface: each player is
registered first (its secret goes with every debit, as ``X-Player-Secret``) and funded by a
server credit, then every debit spends 1 with a fresh idempotency key. A debit checks the secret
and the ban before its transaction and again inside it, so it does more than a credit. Run:

    .ci/with-postgres uv run --all-extras python -m benchmarks.debits [--requests 1000]
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks._local_server import BENCH_CLIENT_KEY, BENCH_KEY, Served, http_lib
from benchmarks.credits import Send, run


def debits_case(served: Served, args: argparse.Namespace) -> tuple[dict[str, str], Send]:
    """Register and fund ``args.players`` players; debits of 1 with fresh keys."""
    secrets = []
    with http_lib.Client(base_url=served.base_url, timeout=60) as http:
        for n in range(args.players):
            player = f"/players/bench-{n}"
            registered = http.post(
                f"/sdk/v1{player}/register",
                json={"idempotencyKey": f"register-{n}"},
                headers={"Authorization": f"Bearer {BENCH_CLIENT_KEY}"},
            )
            funded = http.post(
                f"/server/v1{player}/wallet/gold/credit",
                json={"amount": 10**12, "idempotencyKey": f"fund-{n}"},
                headers={"Authorization": f"Bearer {BENCH_KEY}"},
            )
            if (registered.status_code, funded.status_code) != (201, 200):
                raise SystemExit(f"set-up failed: {registered.text[:200]} {funded.text[:200]}")
            secrets.append(registered.json()["data"]["secret"])

    def debit(http: Any, n: int, run_id: str) -> Any:
        player = n % args.players
        return http.post(
            f"/sdk/v1/players/bench-{player}/wallet/gold/debit",
            json={"amount": 1, "idempotencyKey": f"{run_id}-{n}"},
            headers={"X-Player-Secret": secrets[player]},
        )

    return {"Authorization": f"Bearer {BENCH_CLIENT_KEY}"}, debit


def main() -> None:
    """Time client debits and print the table."""
    run("debits", debits_case, __doc__)


if __name__ == "__main__":
    main()
