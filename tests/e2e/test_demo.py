"""``kraty-admin demo``, the README's main command, runs green and keeps the key to itself."""

from __future__ import annotations

from click.testing import CliRunner

from kraty_admin.cli._app import cli

KEY = "kl_demo.do-not-print-me"


def test_demo_walks_through_every_step() -> None:
    result = CliRunner().invoke(
        cli, ["demo", "--rows", "1500"], env={"KRATY_LOCAL_SERVER_KEY": KEY}
    )
    assert result.exit_code == 0, result.output
    assert "All 11 steps behaved as the product page says." in result.output
    assert "1,500 players" in result.output
    assert KEY not in result.output
    assert "do-not-print-me" not in result.output
