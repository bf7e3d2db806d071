"""A ban or secret rotation committed after a write's early checks still refuses that write.

The change is committed deterministically between the early secret-and-ban check and the write
itself, by wrapping the check the route dependency calls (issue 14).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, Row

from kraty_admin import KratyServerError
from kraty_local.api_sdk import deps
from kraty_local.clock import FakeClock
from kraty_local.store.schema import players
from kraty_local.testing import PlayerClient
from tests._http import http_lib

from .conftest import PlayerFactory

#: A client write, given the player and the id of an attempt it started.
Write = Callable[[PlayerClient, str], object]

WRITES: dict[str, Write] = {
    "idempotent debit": lambda p, _: p.debit("gold", 1, idempotency_key="race-1"),
    "plain unblock": lambda p, _: p.unblock("p2"),
    "server route progress": lambda p, a: p.progress("weekly_race", a, metric_value=5),
}


#: Arms a change of p1's row, committed right after the next player check passes.
Arm = Callable[[dict[str, Any]], None]


@pytest.fixture
def change_after_next_check(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Arm:
    """``arm(values)``: the next player check commits ``values`` into p1's row once it passed."""
    real = deps.authenticate_player
    armed: list[dict[str, Any]] = []

    def check_then_change(*args: Any, **kwargs: Any) -> Row[Any]:
        row = real(*args, **kwargs)
        if armed:
            with engine.begin() as conn:  # its own transaction, committed now
                conn.execute(
                    players.update()
                    .where(players.c.external_player_id == "p1")
                    .values(**armed.pop())
                )
        return row

    monkeypatch.setattr(deps, "authenticate_player", check_then_change)
    return armed.append


def _setup(client: http_lib.Client, player_of: PlayerFactory) -> tuple[PlayerClient, str]:
    """p1 with 10 gold, blocking p2, and an attempt started (its id)."""
    player = player_of("p1")
    player_of("p2")
    credit = {"amount": 10, "idempotencyKey": "c1"}
    assert client.post("/players/p1/wallet/gold/credit", json=credit).status_code == 200
    player.block(external_player_id="p2")
    return player, player.start("weekly_race")["attempt"]["id"]


@pytest.mark.parametrize("name", list(WRITES))
def test_a_ban_committed_after_the_early_check_refuses_the_write(
    name: str,
    client: http_lib.Client,
    player_of: PlayerFactory,
    change_after_next_check: Arm,
    clock: FakeClock,
) -> None:
    player, attempt_id = _setup(client, player_of)
    write = WRITES[name]

    change_after_next_check({"banned_at": clock.now(), "ban_reason": "race"})
    with pytest.raises(KratyServerError) as refused:
        write(player, attempt_id)
    assert refused.value.is_player_banned
    assert player.balance("gold") == 10
    assert [b["externalPlayerId"] for b in player.blocks()] == ["p2"]

    assert client.post("/players/p1/unban", json={"idempotencyKey": "u1"}).status_code == 200
    write(player, attempt_id)  # the refusal was not stored: the same request now applies
    assert player.balance("gold") == (9 if name == "idempotent debit" else 10)


def test_a_secret_rotated_after_the_early_check_refuses_the_write(
    client: http_lib.Client, player_of: PlayerFactory, change_after_next_check: Arm
) -> None:
    player, _ = _setup(client, player_of)
    change_after_next_check({"secret_sha256": "0" * 64})
    with pytest.raises(KratyServerError) as refused:
        player.debit("gold", 1, idempotency_key="race-1")
    assert (refused.value.status, refused.value.code) == (401, "player_secret_invalid")

    player.register(force=True)
    assert player.balance("gold") == 10
    player.debit("gold", 1, idempotency_key="race-1")  # the refusal was not stored
    assert player.balance("gold") == 9
