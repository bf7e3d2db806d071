"""``kraty-admin local serve``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kraty_admin.cli._app import cli
from kraty_local import server as server_module
from kraty_local.http11 import EnvelopeH11Protocol


def test_serve_announces_url_and_a_supplied_key_only_by_its_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[object] = []
    monkeypatch.setattr(server_module.uvicorn, "run", lambda app, **kw: served.append(kw))
    monkeypatch.setenv("KRATY_LOCAL_SERVER_KEY", "kl_cli.s3cret")
    db = tmp_path / "cli.sqlite"

    result = CliRunner().invoke(cli, ["local", "serve", "--port", "8999", "--db", str(db)])

    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8999" in result.output
    assert "s3cret" not in result.output
    assert "kl_cli.… (from $KRATY_LOCAL_SERVER_KEY)" in result.output
    snippet = (
        'KratyAdmin(api_key=os.environ["KRATY_LOCAL_SERVER_KEY"], base_url="http://127.0.0.1:8999")'
    )
    assert snippet in result.output
    expected = {"host": "127.0.0.1", "port": 8999, "log_level": "info", "lifespan": "on"}
    assert served == [{**expected, "http": EnvelopeH11Protocol}]
    assert db.exists()


def test_serve_shows_the_key_it_generated_so_it_can_be_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module.uvicorn, "run", lambda app, **kw: None)
    monkeypatch.delenv("KRATY_LOCAL_SERVER_KEY", raising=False)
    db = tmp_path / "cli.sqlite"

    first = CliRunner().invoke(cli, ["local", "serve", "--db", str(db)])
    again = CliRunner().invoke(cli, ["local", "serve", "--db", str(db)])

    key = first.output.split("Server key (generated for this database): ")[1].split()[0]
    assert f'KratyAdmin(api_key="{key}"' in first.output
    assert key in again.output  # generated once, kept in the database


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
