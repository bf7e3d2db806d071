"""Running ``kraty-admin`` against the test's Kraty Local: in-process (click's runner) or as a
real process (to get a terminal or a signal)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from kraty_admin.cli._app import cli
from kraty_admin.testing import KratyLocal

Runner = Callable[..., Result]
#: The installed console script, next to the interpreter running the tests.
EXECUTABLE = str(Path(sys.executable).with_name("kraty-admin"))


def server_env(kraty_local: KratyLocal) -> dict[str, str]:
    """The environment ``local serve`` tells a person to export."""
    return {"KRATY_SERVER_KEY": kraty_local.api_key, "KRATY_BASE_URL": kraty_local.base_url}


def process_env(kraty_local: KratyLocal, **extra: str) -> dict[str, str]:
    """A child process's environment: ours, the server's, no colour unless asked."""
    return {**os.environ, **server_env(kraty_local), **extra}


def runner_for(kraty_local: KratyLocal) -> Runner:
    """Invoke the CLI in-process against ``kraty_local``; the key must never be printed."""

    def invoke(*args: str, stdin: str | None = None, **env: str) -> Result:
        result = CliRunner().invoke(
            cli, list(args), env={**server_env(kraty_local), **env}, input=stdin
        )
        assert kraty_local.api_key not in result.output
        return result

    return invoke
