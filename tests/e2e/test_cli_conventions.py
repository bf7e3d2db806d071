"""The conventions every command follows (``--json``, errors with their details and request id,
confirmations, Ctrl-C, ``NO_COLOR``), against a running Kraty Local."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kraty_admin.cli._app import cli
from kraty_admin.testing import KratyLocal

from .cli import EXECUTABLE, Runner, process_env, runner_for

REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")


@pytest.fixture
def run(kraty_local: KratyLocal) -> Runner:
    return runner_for(kraty_local)


def _leaf_commands(command: click.Command, path: str = "") -> list[tuple[str, click.Command]]:
    if isinstance(command, click.Group):
        return [
            leaf
            for name, sub in command.commands.items()
            for leaf in _leaf_commands(sub, f"{path} {name}".strip())
        ]
    return [(path, command)]


def test_every_command_takes_json() -> None:
    leaves = _leaf_commands(cli)
    assert len(leaves) >= 18
    missing = [path for path, command in leaves if "--json" not in command.params[-1].opts]
    assert missing == []


def test_json_result_is_the_only_thing_on_stdout(run: Runner, kraty_local: KratyLocal) -> None:
    kraty_local.client.wallet.credit("p1", "gold", 7, idempotency_key="r")

    result = run("players", "get", "p1", "--json")

    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1
    assert json.loads(result.stdout) == kraty_local.client.players.get("p1")


def test_json_server_error_has_code_details_and_request_id(run: Runner) -> None:
    result = run("inventory", "revoke", "p1", "sword", "3", "--idempotency-key", "cb", "--json")

    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert (error["code"], error["status"]) == ("conflict", 409)
    assert error["details"] == {"itemKey": "sword", "available": 0, "requested": 3}
    assert REQUEST_ID.fullmatch(error["request_id"])
    assert "Insufficient" in error["message"]
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["wallet", "credit", "p1", "--json"], "Missing argument 'ECONOMY_KEY'."),
        (["wallet", "credit", "p1", "--bogus", "--json"], "No such option '--bogus'."),
    ],
)
def test_json_usage_errors(run: Runner, args: list[str], message: str) -> None:
    result = run(*args)

    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "error": {
            "code": "usage_error",
            "message": message,
            "details": None,
            "request_id": None,
            "status": None,
        }
    }


def test_validation_error_names_the_field(run: Runner) -> None:
    result = run("wallet", "credit", "p1", "gold", str(2**63), "--idempotency-key", "k")

    assert result.exit_code == 1
    first, *details = result.stderr.splitlines()
    assert first.startswith("Error: [400] validation_failed: ")
    assert REQUEST_ID.search(first)
    assert details == ["  amount: Input should be less than or equal to 9223372036854775807"]


def test_idempotency_conflict_names_the_differing_fields(run: Runner) -> None:
    assert run("wallet", "credit", "p1", "gold", "5", "--idempotency-key", "t-1").exit_code == 0

    result = run("wallet", "credit", "p1", "gold", "6", "--idempotency-key", "t-1")

    assert result.exit_code == 1
    assert "Error: [409] idempotency_conflict: " in result.stderr
    assert "  differingFields: amount\n" in result.stderr


@pytest.mark.parametrize(
    ("args", "question"),
    [
        (["players", "delete", "p1"], "Erase player 'p1' on {url}?"),
        (["players", "merge", "p1", "p2"], "Merge player 'p1' into 'p2' on {url}?"),
    ],
)
def test_destructive_commands_without_a_terminal_need_yes(
    run: Runner, kraty_local: KratyLocal, args: list[str], question: str
) -> None:
    for player in ("p1", "p2"):
        kraty_local.client.wallet.credit(player, "gold", 5, idempotency_key="r")

    refused = run(*args)
    as_json = run(*args, "--json")

    assert refused.exit_code == as_json.exit_code == 2
    assert question.format(url=kraty_local.base_url) in refused.stderr
    assert "Pass --yes to confirm." in refused.stderr
    assert json.loads(as_json.stdout)["error"]["code"] == "confirmation_required"
    snapshot = kraty_local.client.players.get("p1")  # neither erased nor merged away
    assert snapshot["wallet"][0]["balance"] == 5
    assert run(*args, "--yes").exit_code == 0


def _run_on_a_terminal(args: list[str], env: dict[str, str], answer: bytes) -> tuple[str, str]:
    """Run the CLI with a pseudo-terminal as stdin; answer its prompt; (stdout, stderr)."""
    leader, follower = os.openpty()
    try:
        process = subprocess.Popen(
            [EXECUTABLE, *args],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        os.write(leader, answer)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        os.close(leader)
        os.close(follower)
    assert process.returncode in (0, 1), stderr
    return stdout.decode(), stderr.decode()


@pytest.mark.parametrize(("answer", "erased"), [(b"y\n", True), (b"n\n", False)])
def test_delete_on_a_terminal_asks_naming_player_and_server(
    kraty_local: KratyLocal, answer: bytes, erased: bool
) -> None:
    kraty_local.client.wallet.credit("p1", "gold", 5, idempotency_key="r")

    stdout, stderr = _run_on_a_terminal(
        ["players", "delete", "p1", "--json"], process_env(kraty_local), answer
    )

    assert f"Erase player 'p1' on {kraty_local.base_url}? " in stderr
    assert "[y/N]" in stderr
    if erased:
        assert json.loads(stdout)["status"] == "erased"
    else:
        assert json.loads(stdout)["error"]["code"] == "aborted"
        assert kraty_local.client.players.get("p1")["wallet"][0]["balance"] == 5


def test_a_local_key_aimed_at_the_hosted_api_is_warned_about() -> None:
    env = {"KRATY_SERVER_KEY": "kl_test_0a1b2c3d.secret", "KRATY_BASE_URL": ""}

    # players delete stops at its confirmation: no request leaves the machine
    result = CliRunner().invoke(cli, ["players", "delete", "p1", "--json"], env=env)

    warning, *_ = result.stderr.splitlines()
    assert warning.startswith("Warning: this is a Kraty Local key (kl_test_...) but the base URL")
    assert "KRATY_BASE_URL" in warning
    assert "secret" not in result.output
    assert json.loads(result.stdout)["error"]["code"] == "confirmation_required"


def test_a_key_of_the_hosted_api_is_not_warned_about() -> None:
    env = {"KRATY_SERVER_KEY": "sk_live_0a1b2c3d.secret", "KRATY_BASE_URL": ""}

    result = CliRunner().invoke(cli, ["players", "delete", "p1"], env=env)

    assert "Warning" not in result.stderr


def test_refused_loopback_connection_suggests_starting_kraty_local() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens on it
    env = {
        "KRATY_SERVER_KEY": "kl_test_0a1b2c3d.secret",
        "KRATY_BASE_URL": f"http://127.0.0.1:{port}",
    }

    result = CliRunner().invoke(cli, ["ping"], env=env)

    assert result.exit_code == 1
    assert "failed after 1 attempt" in result.stderr  # a person is waiting: no retries
    assert result.stderr.rstrip().endswith(
        "is Kraty Local running? start it with `kraty-admin local serve`"
    )


def _colour_codes(text: str) -> list[str]:
    """SGR sequences that set a colour (30-37, 38;..., 90-97: foreground)."""
    return re.findall(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])(?:;[0-9;]*)?m", text)


def test_no_color_removes_every_colour(run: Runner, kraty_local: KratyLocal) -> None:
    kraty_local.client.wallet.credit("p1", "gold", 7, idempotency_key="r")
    forced = {"FORCE_COLOR": "1", "TERM": "xterm-256color"}

    coloured = run("players", "get", "p1", **forced)
    plain = run("players", "get", "p1", **forced, NO_COLOR="1")
    error = run(
        "wallet",
        "credit",
        "p1",
        "gold",
        "1",
        "--idempotency-key",
        "r",
        "--bogus",
        **forced,
        NO_COLOR="1",
    )

    assert _colour_codes(coloured.stdout)  # the check can see colour when there is some
    assert _colour_codes(plain.stdout) == []
    unstyled = re.sub(r"\x1b\[[0-9;]*m", "", plain.stdout)  # bold is not colour: it may stay
    assert json.loads(unstyled) == kraty_local.client.players.get("p1")
    assert _colour_codes(error.output) == []


def test_ctrl_c_in_migrate_exits_130_with_the_resume_hint(
    kraty_local: KratyLocal, tmp_path: Path
) -> None:
    rows = tmp_path / "players.jsonl"
    rows.write_text("".join(json.dumps({"externalPlayerId": f"m{i}"}) + "\n" for i in range(1_000)))
    checkpoint = tmp_path / "players.jsonl.checkpoint.json"
    args = ["migrate", "players", str(rows), "--batch-size", "10", "--concurrency", "1"]
    process = subprocess.Popen(
        [EXECUTABLE, *args],
        env=process_env(kraty_local),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    message = stderr.decode().strip().splitlines()[-1]
    assert message == (
        f"Error: Interrupted: the confirmed batches are in {checkpoint}; "
        "add --resume to send only the rest."
    )
    resumed = runner_for(kraty_local)(*args, "--resume", "--json")
    summary = json.loads(resumed.stdout)
    assert summary["resumed"] > 0
    assert summary["applied"] + summary["skipped"] + summary["resumed"] == 1_000
    assert summary["failed"] == 0
