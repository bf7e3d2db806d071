"""``kraty-admin local serve``: the first hour, as a new user lives it."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from kraty_admin.cli._app import cli

EXECUTABLE = str(Path(sys.executable).with_name("kraty-admin"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def no_serving(monkeypatch: pytest.MonkeyPatch) -> list[uvicorn.Server]:
    """uvicorn starts and returns at once (for what is printed before serving)."""
    served: list[uvicorn.Server] = []

    def run(server: uvicorn.Server, sockets: list[socket.socket]) -> None:
        served.append(server)
        server.started = True

    monkeypatch.setattr(uvicorn.Server, "run", run)
    return served


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """``kraty-admin local serve`` as a real process on a free port, and its first lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRATY_")}
    command = [EXECUTABLE, "local", "serve", "--port", str(_free_port())]
    process = subprocess.Popen(
        [*command, "--db", str(tmp_path / "first-hour.sqlite")],
        env={**env, "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(8)]
        yield process, lines
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def test_the_export_lines_point_the_cli_at_the_new_server(
    serving: tuple[subprocess.Popen[str], list[str]],
) -> None:
    process, lines = serving
    exports = dict(
        re.fullmatch(r"\s+export (KRATY_BASE_URL|KRATY_SERVER_KEY)=(\S+)\n", line).groups()  # type: ignore[union-attr]
        for line in lines
        if line.lstrip().startswith("export ")
    )
    assert set(exports) == {"KRATY_BASE_URL", "KRATY_SERVER_KEY"}
    assert exports["KRATY_SERVER_KEY"].startswith("kl_test_")
    assert lines[0].startswith(f"Kraty Local listening on {exports['KRATY_BASE_URL']}")

    env = {k: v for k, v in os.environ.items() if not k.startswith("KRATY_")}
    ping = subprocess.run(
        [EXECUTABLE, "ping", "--json"],
        env={**env, **exports},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert ping.returncode == 0, ping.stderr
    assert json.loads(ping.stdout)["ok"] is True
    assert ping.stderr == ""  # no warning: the key goes to Kraty Local
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0  # Ctrl-C is how a server is meant to stop


def test_a_busy_port_is_one_error_line_and_nothing_else(tmp_path: Path) -> None:
    db = tmp_path / "never.sqlite"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [EXECUTABLE, "local", "serve", "--port", str(port), "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use (is Kraty Local "
        "already running? stop it, or pick another --port)"
    ]
    assert not db.exists()


def test_a_busy_port_with_json_is_a_json_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(cli, ["local", "serve", "--port", port, "--json"])

    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "port_unavailable"


def test_a_supplied_key_is_shown_only_by_its_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_serving: list[uvicorn.Server]
) -> None:
    monkeypatch.setenv("KRATY_LOCAL_SERVER_KEY", "kl_cli.s3cret")
    db = tmp_path / "cli.sqlite"

    result = CliRunner().invoke(cli, ["local", "serve", "--port", "0", "--db", str(db)])

    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    assert "kl_cli.… (from $KRATY_LOCAL_SERVER_KEY)" in result.output
    assert '    export KRATY_SERVER_KEY="$KRATY_LOCAL_SERVER_KEY"\n' in result.output
    assert 'KratyAdmin(api_key=os.environ["KRATY_LOCAL_SERVER_KEY"], base_url=' in result.output
    [server] = no_serving
    assert (server.config.lifespan, server.config.access_log) == ("on", False)
    assert server.config.app.state.settings.freeze_gc  # the process serves nothing else
    assert db.exists()


def test_access_log_only_on_request(tmp_path: Path, no_serving: list[uvicorn.Server]) -> None:
    db = str(tmp_path / "cli.sqlite")
    serve = ["local", "serve", "--port", "0", "--db", db, "--access-log"]

    logged = CliRunner().invoke(cli, serve)
    as_json = CliRunner().invoke(cli, [*serve, "--json"])

    assert (logged.exit_code, as_json.exit_code) == (0, 0)
    assert no_serving[0].config.access_log is True
    assert no_serving[1].config.access_log is False  # stdout stays one JSON document


def test_a_generated_key_is_kept_in_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_serving: list[uvicorn.Server]
) -> None:
    monkeypatch.delenv("KRATY_LOCAL_SERVER_KEY", raising=False)
    db = tmp_path / "cli.sqlite"

    first = CliRunner().invoke(cli, ["local", "serve", "--port", "0", "--db", str(db)])
    again = CliRunner().invoke(cli, ["local", "serve", "--port", "0", "--db", str(db), "--json"])

    key = first.output.split("Server key (generated for this database): ")[1].split()[0]
    assert f"    export KRATY_SERVER_KEY={key}\n" in first.output
    announced = json.loads(again.stdout)
    assert (announced["server_key"], announced["server_key_from"]) == (key, "generated")
    client_key = first.output.split("Client key (client_sdk, for the game's /sdk/v1): ")[1]
    assert announced["client_key"] == client_key.split()[0]  # the game's key, kept too
    assert announced["base_url"].startswith("http://127.0.0.1:")
    assert no_serving[1].config.access_log is False  # stdout stays one JSON document


def test_serve_rejects_a_bad_world_file(tmp_path: Path) -> None:
    world = tmp_path / "world.toml"
    world.write_text('colour = "blue"\n')

    result = CliRunner().invoke(cli, ["local", "serve", "--world", str(world)])

    assert result.exit_code == 1
    assert "unknown field" in result.output


def test_missing_extra_prints_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "kraty_local.server", None)

    result = CliRunner().invoke(cli, ["local", "serve"])

    assert result.exit_code == 1
    assert "pip install 'kraty-admin[local]'" in result.output
    assert "Traceback" not in result.output
