"""Writes racing the merge that retires their player, on each engine.

A merge retires the source row (anonymizes it in place, its holdings moved to the target). A
credit naming the source at the same moment must either commit before the merge (and be carried
over by it) or wait and then land on a live player (the target, or a player created afresh under
the freed id), never on the retired row: the merged-away row ends holding nothing, and every
applied credit is on the live players' books exactly once. Erasure retires its row under the
same exclusive lock, taken against the same share lock every write holds.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from kraty_admin import KratyAdmin, RetryConfig
from kraty_local.store.schema import players, wallets

from .conftest import Cluster
from .test_bank import audit_books

ROUNDS = 6
CREDITS_PER_ROUND = 12
OPENING = 100


def _clients(cluster: Cluster) -> list[KratyAdmin]:
    retry = RetryConfig(attempts=8, initial_delay=0.05, max_delay=2.0)
    return [KratyAdmin(api_key=cluster.api_key, base_url=u, retry=retry) for u in cluster.base_urls]


def _race(cluster: Cluster, clients: list[KratyAdmin], source: str, retire: object) -> int:
    """Credit ``source`` from many threads while ``retire`` runs; the credits applied."""
    barrier = threading.Barrier(CREDITS_PER_ROUND + 1)

    def credit(n: int) -> bool:
        barrier.wait()
        answer = clients[n % len(clients)].wallet.credit(
            source,
            "gold",
            amount=1,
            idempotency_key=f"{source}-c{n}",
            source_ref_id=f"{source}-c{n}",
        )
        return answer["applied"]

    def retire_now() -> None:
        barrier.wait()
        retire()  # type: ignore[operator]

    with ThreadPoolExecutor(CREDITS_PER_ROUND + 1) as pool:
        credits = [pool.submit(credit, n) for n in range(CREDITS_PER_ROUND)]
        pool.submit(retire_now).result()
        return sum(done.result() for done in credits)


def test_credits_racing_a_merge_never_land_on_the_merged_away_row(cluster: Cluster) -> None:
    clients = _clients(cluster)
    try:
        expected_total = 0
        for r in range(ROUNDS):
            source, target = f"merge-src-{r}", f"merge-dst-{r}"
            for player in (source, target):
                clients[0].wallet.credit(
                    player, "gold", amount=OPENING, idempotency_key=f"open-{player}"
                )
            applied = _race(
                cluster, clients, source, lambda s=source, t=target: clients[0].players.merge(s, t)
            )
            assert applied == CREDITS_PER_ROUND
            expected_total += 2 * OPENING + applied
    finally:
        for client in clients:
            client.close()

    held, per_ref, _ = audit_books(cluster.engine)
    with cluster.engine.connect() as conn:
        merged_away = (
            conn.execute(
                select(wallets.c.balance)
                .join(players, players.c.id == wallets.c.player_id)
                .where(players.c.merged_into_id.is_not(None))
            )
            .scalars()
            .all()
        )
    assert set(merged_away) <= {0}
    live_total = sum(
        v
        for (table, player, _), v in held.items()
        if table == "wallets" and not player.startswith("__")
    )
    assert live_total == expected_total
    for r in range(ROUNDS):
        assert all(per_ref[f"merge-src-{r}-c{n}"] == 1 for n in range(CREDITS_PER_ROUND))
