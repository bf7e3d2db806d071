"""Seeding Kraty Local from a seed document, and exporting one (``kraty_local.seeding``)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from kraty_admin.cli._app import cli
from kraty_local.clock import FakeClock
from kraty_local.seed import SeedError, parse_seed
from kraty_local.seeding import export_database, open_database, seed_database
from kraty_local.server import LocalServer
from kraty_local.store.schema import (
    audit_log,
    blocks,
    friend_requests,
    friends,
    inventory,
    inventory_ledger,
    players,
    wallet_ledger,
    wallets,
    webhook_outbox,
)
from kraty_local.world import World
from tests._http import http_lib

from ..conftest import empty_postgres
from .helpers import count, seg

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "support_case.seed.json"
DOC = ROOT / "docs" / "seeding.md"


def example() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return document


def seed(server: LocalServer, document: Any) -> Any:
    return seed_database(server.engine, server.settings.world, document, now=server.clock.now())


def export(server: LocalServer, **options: Any) -> dict[str, Any]:
    return export_database(server.engine, server.settings.world, now=server.clock.now(), **options)


def ledger_sums(engine: Engine) -> list[tuple[int, int]]:
    """(balance, sum of its ledger rows) of every wallet and inventory row."""
    pairs = []
    with engine.connect() as conn:
        for table, ledger, fk, amount in (
            (wallets, wallet_ledger, "wallet_id", "balance"),
            (inventory, inventory_ledger, "inventory_id", "quantity"),
        ):
            total = (
                select(func.coalesce(func.sum(ledger.c.delta), 0))
                .where(ledger.c[fk] == table.c.id)
                .scalar_subquery()
            )
            pairs += [(int(a), int(b)) for a, b in conn.execute(select(table.c[amount], total))]
    return pairs


def test_the_example_seeds_players_holdings_and_social_rows(server: LocalServer) -> None:
    report = seed(server, EXAMPLE)

    assert (report.players_created, report.players_updated) == (4, 0)
    assert (report.wallet_changes, report.item_changes) == (2, 2)  # gems 0 needs no ledger row
    assert (report.friendships_added, report.friend_requests_added, report.blocks_added) == (
        1,
        1,
        1,
    )
    engine = server.engine
    with engine.connect() as conn:
        maria = conn.execute(
            select(players).where(players.c.external_player_id == "maria_92")
        ).one()
        ledger = conn.execute(
            select(
                wallet_ledger.c.economy_key,
                wallet_ledger.c.delta,
                wallet_ledger.c.source_kind,
                wallet_ledger.c.reason,
                wallet_ledger.c.balance_after,
            ).where(wallet_ledger.c.player_id == maria.id)
        ).all()
    assert (maria.synthetic_name, maria.synthetic_avatar, maria.country) == (
        "Maria",
        "https://cdn.example.com/a/maria.png",
        "PT",
    )
    assert maria.first_seen_at is not None
    assert [tuple(r) for r in ledger] == [
        ("gold", 1200, "seed", "support case 4711: gems missing after purchase", 1200)
    ]
    assert all(balance == total for balance, total in ledger_sums(engine))
    assert count(engine, friends) == count(engine, blocks) == 1
    assert count(engine, friend_requests, friend_requests.c.status == "pending") == 1
    assert count(engine, webhook_outbox) == 0  # seeding is silent, like migration
    assert count(engine, audit_log, audit_log.c.action == "seed.applied") == 1


def test_seeding_again_changes_nothing(server: LocalServer) -> None:
    seed(server, EXAMPLE)
    before = export(server)

    again = seed(server, EXAMPLE)

    assert (again.players_created, again.players_updated, again.wallet_changes) == (0, 4, 0)
    assert again.friendships_added + again.friend_requests_added + again.blocks_added == 0
    assert export(server) == before


def test_existing_players_are_set_to_the_described_state(
    server: LocalServer, client: http_lib.Client
) -> None:
    response = client.post(
        f"/players/{seg('maria_92')}/wallet/gold/credit",
        json={"amount": 5000, "idempotencyKey": "iap-1"},
    )
    assert response.status_code == 200, response.text
    client.post(
        f"/players/{seg('maria_92')}/wallet/gems/credit", json={"amount": 7, "idempotencyKey": "k"}
    )
    seed(
        server,
        {"players": [{"externalPlayerId": "maria_92", "identity": {"name": "M"}, "country": "ES"}]},
    )

    seed(server, EXAMPLE)
    seed(
        server,
        {"players": [{"externalPlayerId": "maria_92", "wallet": {"gold": 30}, "country": None}]},
    )

    with server.engine.connect() as conn:
        rows = conn.execute(
            select(wallet_ledger.c.economy_key, wallet_ledger.c.delta, wallet_ledger.c.source_kind)
            .join(players, players.c.id == wallet_ledger.c.player_id)
            .where(players.c.external_player_id == "maria_92")
            .order_by(wallet_ledger.c.id)
        ).all()
        maria = conn.execute(
            select(players).where(players.c.external_player_id == "maria_92")
        ).one()
    rows = [tuple(r) for r in rows]
    assert rows[:2] == [("gold", 5000, "api"), ("gems", 7, "api")]
    # the example sets gold to 1200 and gems to 0: one ledger row of each difference
    assert sorted(rows[2:4]) == [("gems", -7, "seed"), ("gold", -3800, "seed")]
    assert rows[4:] == [("gold", -1170, "seed")]
    assert all(balance == total for balance, total in ledger_sums(server.engine))
    # the identity was omitted by the last seed, so it stays; a null country clears it
    assert (maria.synthetic_name, maria.country) == ("Maria", None)


def test_seed_then_export_describes_the_same_state(server: LocalServer) -> None:
    seed(server, EXAMPLE)

    exported = export(server)

    world = server.settings.world
    described = parse_seed(example(), world).normalized().without_times()
    assert parse_seed(exported, world).without_times() == replace(described, reason=None)
    times = {f["since"] for f in exported["friendships"]} | {
        r["createdAt"] for r in exported["friendRequests"]
    }
    assert times == {server.clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")}


def test_given_times_are_kept_exactly(server: LocalServer) -> None:
    timed = {
        "version": 1,
        "game": "game_1",
        "players": [
            {"externalPlayerId": "a"},
            {"externalPlayerId": "b"},
            {"externalPlayerId": "c"},
        ],
        "friendships": [{"players": ["a", "b"], "since": "2029-05-01T10:00:00.125Z"}],
        "friendRequests": [{"from": "c", "to": "a", "createdAt": "2029-05-02T00:00:00.000Z"}],
        "blocks": [{"player": "b", "blocked": "c", "blockedAt": "2029-05-03T00:00:00.000Z"}],
    }

    seed(server, timed)

    assert export(server) == timed


def test_export_seed_export_is_identical_on_a_fresh_database(
    server: LocalServer, client: http_lib.Client, database: str, tmp_path: Path, clock: FakeClock
) -> None:
    seed(server, EXAMPLE)
    clock.advance(timedelta(minutes=5))
    client.post(
        f"/players/{seg('joao')}/wallet/gems/credit", json={"amount": 9, "idempotencyKey": "x"}
    )
    client.post(
        f"/players/{seg('newbie')}/inventory/sword/grant",
        json={"quantity": 2, "idempotencyKey": "y"},
    )
    first = export(server)
    world = server.settings.world
    server.stop()
    fresh = _emptied(database, tmp_path)

    engine = open_database(fresh)
    try:
        seed_database(engine, world, first, now=clock.now() + timedelta(days=1))
        again = export_database(engine, world, now=clock.now())
    finally:
        engine.dispose()

    assert again == first
    assert {p["externalPlayerId"] for p in first["players"]} == {
        "joao",
        "kenji",
        "maria_92",
        "newbie",
        "spam_bot_7",
    }


def _emptied(database: str, tmp_path: Path) -> str:
    if "://" in database:
        empty_postgres(database)
        return database
    return str(tmp_path / "fresh.sqlite")


def test_export_of_some_players_includes_those_linked_to_them(server: LocalServer) -> None:
    seed(server, EXAMPLE)
    seed(server, {"players": [{"externalPlayerId": "loner", "wallet": {"gold": 1}}]})

    only_joao = export(server, only=["joao"])
    everyone = export(server)

    assert [p["externalPlayerId"] for p in only_joao["players"]] == ["joao", "maria_92"]
    assert only_joao["friendships"] == everyone["friendships"]
    assert "friendRequests" not in only_joao
    assert "blocks" not in only_joao
    assert len(everyone["players"]) == 5


BAD_SEEDS: list[tuple[Any, str]] = [
    ([], "a seed is a JSON object, not a list"),
    ({"game": "game_9", "players": []}, "game: unknown game 'game_9'"),
    (
        {"players": [{"externalPlayerId": "a", "wallet": {"diamonds": 1}}]},
        "players[0] 'a': wallet: unknown currency 'diamonds'",
    ),
    (
        {"players": [{"externalPlayerId": "a", "items": {"swrod": 1}}]},
        "players[0] 'a': items: unknown item 'swrod' (did you mean 'sword'?)",
    ),
    (
        {"players": [{"externalPlayerId": "a", "wallet": {"gold": -1}}]},
        "players[0] 'a': wallet.gold: the balance must not be negative (-1)",
    ),
    (
        {"players": [{"externalPlayerId": "a", "items": {"sword": 1.5}}]},
        "players[0] 'a': items.sword: the quantity must be a whole number, not 1.5",
    ),
    (
        {"players": [{"externalPlayerId": "a", "country": "PRT"}]},
        "players[0] 'a': country must be two letters",
    ),
    ({"players": [{"externalPlayerId": "a", "country": "UK"}]}, "did you mean 'GB'?"),
    (
        {"players": [{"externalPlayerId": "a", "identity": {"name": " "}}]},
        "players[0] 'a': identity: 'name' must be 1 to 32 characters",
    ),
    (
        {"players": [{"externalPlayerId": "a", "walet": {}}]},
        "players[0] 'a': unknown field 'walet' (did you mean 'wallet'?)",
    ),
    (
        {"players": [{"externalPlayerId": "a"}, {"externalPlayerId": "a"}]},
        "players[1] 'a': this player is listed twice",
    ),
    ({"players": [{"externalPlayerId": "a\x00"}]}, "must not contain NUL characters"),
    ({"players": [{"externalPlayerId": "a\ud800"}]}, "must be valid Unicode"),
    (
        {"players": [{"externalPlayerId": "a"}], "friendships": [["a", "a"]]},
        "friendships[0] 'a' & 'a': a player cannot befriend themselves",
    ),
    (
        {"players": [{"externalPlayerId": "a"}], "friendships": [["a", "bob"]]},
        "friendships[0] 'a' & 'bob': player 'bob' is not listed in 'players'",
    ),
    (
        {
            "players": [{"externalPlayerId": "a"}, {"externalPlayerId": "b"}],
            "friendships": [["a", "b"], ["b", "a"]],
        },
        "friendships[1] 'b' & 'a': this friendship is listed twice",
    ),
    (
        {
            "players": [{"externalPlayerId": "a"}, {"externalPlayerId": "b"}],
            "friendRequests": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}],
        },
        "list them in 'friendships' instead",
    ),
    (
        {
            "players": [{"externalPlayerId": "a"}, {"externalPlayerId": "b"}],
            "friendships": [["a", "b"]],
            "blocks": [{"player": "a", "blocked": "b"}],
        },
        "blocks[0] 'a' blocks 'b': these players are also listed as friends",
    ),
    (
        {"players": [{"externalPlayerId": "a"}], "blocks": [{"player": "a", "blocked": "a"}]},
        "a player cannot block themselves",
    ),
    (
        {
            "players": [{"externalPlayerId": "a"}, {"externalPlayerId": "b"}],
            "friendships": [{"players": ["a", "b"], "since": "yesterday"}],
        },
        "'since' must be an ISO 8601 time",
    ),
    ({"version": 2, "players": []}, "'version' must be 1, not 2"),
]


@pytest.mark.parametrize(("document", "problem"), BAD_SEEDS)
def test_invalid_seeds_name_the_offending_entry_and_apply_nothing(
    server: LocalServer, document: Any, problem: str
) -> None:
    good = {"externalPlayerId": "innocent", "wallet": {"gold": 5}}
    if isinstance(document, dict):
        document = {**document, "players": [good, *document.get("players", [])]}
        problem = re.sub(r"players\[(\d+)\]", lambda m: f"players[{int(m[1]) + 1}]", problem)

    with pytest.raises(SeedError) as caught:
        seed(server, document)

    assert any(problem in p for p in caught.value.problems), caught.value.problems
    assert "nothing was applied" in str(caught.value)
    assert count(server.engine, players) == 0


def test_every_problem_is_reported_at_once(world: World) -> None:
    with pytest.raises(SeedError) as caught:
        parse_seed(
            {
                "players": [{"externalPlayerId": "a", "country": "pt", "wallet": {"gold": -1}}],
                "blocks": [{"player": "a", "blocked": "z"}],
            },
            world,
        )

    assert caught.value.problems == [
        "players[0] 'a': country must be in capitals: 'PT', not 'pt'",
        "players[0] 'a': wallet.gold: the balance must not be negative (-1)",
        "blocks[0] 'a' blocks 'z': player 'z' is not listed in 'players' (known: a)",
    ]


def test_conflicts_with_the_database_apply_nothing(server: LocalServer) -> None:
    seed(
        server,
        {
            "players": [{"externalPlayerId": "a"}, {"externalPlayerId": "b"}],
            "friendships": [["a", "b"]],
        },
    )

    with pytest.raises(SeedError) as caught:
        seed(
            server,
            {
                "players": [
                    {"externalPlayerId": "a"},
                    {"externalPlayerId": "b"},
                    {"externalPlayerId": "c", "wallet": {"gold": 3}},
                ],
                "friendRequests": [{"from": "b", "to": "a"}],
            },
        )

    assert caught.value.problems == [
        "friendRequests[0] 'b' -> 'a': they are already friends in the database"
    ]
    assert count(server.engine, players) == 2
    assert count(server.engine, wallets) == 0


def test_a_seeded_block_ends_a_friendship_and_a_friendship_settles_requests(
    server: LocalServer,
) -> None:
    three = [{"externalPlayerId": p} for p in ("a", "b", "c")]
    seed(
        server,
        {
            "players": three,
            "friendships": [["a", "b"]],
            "friendRequests": [{"from": "c", "to": "a"}],
        },
    )

    report = seed(
        server,
        {
            "players": three,
            "friendships": [["a", "c"]],
            "blocks": [{"player": "b", "blocked": "a"}],
        },
    )

    assert report.social_rows_removed == 2
    state = export(server)
    assert [f["players"] for f in state["friendships"]] == [["a", "c"]]
    assert "friendRequests" not in state
    assert [(b["player"], b["blocked"]) for b in state["blocks"]] == [("b", "a")]
    with server.engine.connect() as conn:
        assert conn.execute(select(friend_requests.c.status)).scalars().all() == ["accepted"]


def test_cli_seeds_from_stdin_and_exports_to_stdout(database: str, tmp_path: Path) -> None:
    runner = CliRunner()

    seeded = runner.invoke(
        cli, ["local", "seed", "-", "--db", database], input=EXAMPLE.read_text(encoding="utf-8")
    )
    exported = runner.invoke(cli, ["local", "export", "-", "--db", database])
    written = runner.invoke(
        cli, ["local", "export", str(tmp_path / "out.json"), "--db", database, "--player", "kenji"]
    )

    assert seeded.exit_code == 0, seeded.output
    assert "4 player(s) created" in seeded.output
    assert exported.exit_code == 0, exported.output
    document = json.loads(exported.output)
    assert [p["externalPlayerId"] for p in document["players"]] == [
        "joao",
        "kenji",
        "maria_92",
        "spam_bot_7",
    ]
    assert written.exit_code == 0, written.output
    partial = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [p["externalPlayerId"] for p in partial["players"]] == ["kenji", "maria_92"]


def test_cli_reports_every_problem_and_applies_nothing(database: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"players": [{"externalPlayerId": "a", "country": "XX"}], "friendships": [["a", "b"]]}
        )
    )

    CliRunner().invoke(cli, ["local", "seed", str(EXAMPLE), "--db", database])
    result = CliRunner().invoke(cli, ["local", "seed", str(bad), "--db", database])
    checked = CliRunner().invoke(cli, ["local", "seed", str(EXAMPLE), "--check", "--db", database])
    exported = CliRunner().invoke(cli, ["local", "export", "-", "--db", database])

    assert result.exit_code == 1
    assert "the seed has 2 problems; nothing was applied" in result.output
    assert (
        "players[0] 'a': 'XX' is not an assigned ISO 3166-1 alpha-2 country code" in result.output
    )
    assert "friendships[0] 'a' & 'b': player 'b' is not listed in 'players'" in result.output
    assert checked.exit_code == 0
    assert "nothing was applied" in checked.output
    assert len(json.loads(exported.output)["players"]) == 4


def test_cli_rejects_invalid_json_and_a_missing_database(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"players": [}')
    db = str(tmp_path / "none.sqlite")

    seeded = CliRunner().invoke(cli, ["local", "seed", str(broken), "--db", db])
    exported = CliRunner().invoke(cli, ["local", "export", "-", "--db", db])

    assert seeded.exit_code == 1
    assert "not valid JSON" in seeded.output
    assert exported.exit_code == 1
    assert "no Kraty Local database" in exported.output


def test_the_documented_example_is_the_example_file(world: World) -> None:
    blocks_in_doc = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)

    assert json.loads(blocks_in_doc[0]) == example()
    parse_seed(example(), world)
