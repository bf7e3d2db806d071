"""The support commands against a running Kraty Local, as an operator would type them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kraty_admin.cli._app import cli
from kraty_admin.testing import KratyLocal

from .cli import Runner, runner_for


@pytest.fixture
def run(kraty_local: KratyLocal) -> Runner:
    return runner_for(kraty_local)


def test_ping(run: Runner) -> None:
    result = run("ping")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True


def test_credit_twice_with_one_key_applies_once(run: Runner, kraty_local: KratyLocal) -> None:
    args = ("wallet", "credit", "p1", "gold", "250", "--idempotency-key", "ticket-7")
    first, second = run(*args), run(*args)
    assert json.loads(first.output) == {"economyKey": "gold", "balance": 250, "applied": True}
    assert json.loads(second.output) == {"economyKey": "gold", "balance": 250, "applied": False}
    assert kraty_local.client.wallet.debit("p1", "gold", 250)["balance"] == 0


def test_money_commands_require_an_idempotency_key(run: Runner) -> None:
    result = run("inventory", "grant", "p1", "sword", "1")
    assert result.exit_code == 2
    assert "--idempotency-key" in result.output


def test_server_errors_show_the_sdk_line_then_the_details(run: Runner) -> None:
    result = run("inventory", "revoke", "p1", "sword", "3", "--idempotency-key", "cb-1")
    assert result.exit_code == 1
    first, *details = result.stderr.splitlines()
    assert re.fullmatch(r"Error: \[409\] conflict: .+ \(request id req_[0-9a-f]{32}\)", first), (
        result.stderr
    )
    assert details == ["  itemKey: sword", "  available: 0", "  requested: 3"]
    assert result.stdout == ""


def test_missing_key_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["ping"], env={"KRATY_SERVER_KEY": ""})
    assert result.exit_code == 2
    assert "KRATY_SERVER_KEY" in result.output


def test_ban_requires_a_reason(run: Runner, kraty_local: KratyLocal) -> None:
    kraty_local.client.wallet.credit("p1", "gold", 1, idempotency_key="r")
    result = run("players", "ban", "p1")
    assert result.exit_code == 2
    assert "Missing option '--reason'" in result.output
    assert kraty_local.client.players.export("p1")["player"]["bannedAt"] is None


def test_player_lookup_export_and_ban(run: Runner, kraty_local: KratyLocal, tmp_path: Path) -> None:
    kraty_local.client.wallet.credit("p 1/x", "gems", 9, idempotency_key="r")
    snapshot = json.loads(run("players", "get", "p 1/x").output)
    assert snapshot["wallet"][0]["balance"] == 9
    target = tmp_path / "export.json"
    assert run("players", "export", "p 1/x", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text())["player"]["externalPlayerId"] == "p 1/x"
    banned = json.loads(run("players", "ban", "p 1/x", "--reason", "bot").output)
    assert banned["applied"] is True
    erased = run("players", "delete", "p 1/x", "--yes")
    assert json.loads(erased.output)["status"] == "erased"
