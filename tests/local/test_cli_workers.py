"""``kraty-admin local serve --workers N``: PostgreSQL only; every worker builds the app from the
settings the command prepared, handed over as its factory's argument (not the environment)."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import time
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from kraty_admin.cli._app import cli
from kraty_local import server as server_module
from kraty_local.app import running
from kraty_local.runtime import runtime_of
from kraty_local.settings import SERVER_KEY_ENV
from kraty_local.world import load_world

from .test_cli import EXECUTABLE, _free_port
from .test_tickless import wait_until_serving

EXAMPLE_WORLD = Path(__file__).parents[2] / "src" / "kraty_local" / "world.example.toml"


def test_several_workers_need_postgresql(tmp_path: Path) -> None:
    db = tmp_path / "one-writer.sqlite"

    result = CliRunner().invoke(cli, ["local", "serve", "--workers", "2", "--db", str(db)])

    assert result.exit_code == 1
    assert "several workers need PostgreSQL" in result.output
    assert not db.exists()


def test_workers_get_database_world_and_key_from_their_factory(
    database_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "://" not in database_target:
        pytest.skip("several workers need PostgreSQL")
    served: list[uvicorn.Config] = []
    monkeypatch.setattr(server_module, "run_workers", lambda config, sock: served.append(config))
    monkeypatch.setenv(SERVER_KEY_ENV, "kl_workers.s3cret")
    environment = dict(os.environ)
    args = ["--workers", "3", "--port", "8998", "--db", database_target]

    result = CliRunner().invoke(cli, ["local", "serve", *args, "--world", str(EXAMPLE_WORLD)])

    assert result.exit_code == 0, result.output
    assert dict(os.environ) == environment  # nothing handed over in the environment
    assert "3 worker processes" in result.output
    assert "s3cret" not in result.output  # a supplied key is never echoed
    snippet = 'api_key=os.environ["KRATY_LOCAL_SERVER_KEY"], base_url="http://127.0.0.1:8998"'
    assert snippet in result.output
    [config] = served
    assert (config.host, config.port, config.workers) == ("127.0.0.1", 8998, 3)
    assert (config.factory, config.lifespan) == (True, "on")
    factory = pickle.loads(pickle.dumps(config.app))  # noqa: S301 (what a spawned worker gets)
    app = factory()
    with running(app):  # what each worker's lifespan does
        runtime = runtime_of(app)
        assert runtime.settings.database == database_target
        assert runtime.server_key == "kl_workers.s3cret"
        assert runtime.settings.world == load_world(str(EXAMPLE_WORLD))


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_idle_workers_and_their_supervisor(
    database_target: str, stop: signal.Signals
) -> None:
    if "://" not in database_target:
        pytest.skip("several workers need PostgreSQL")
    port = _free_port()
    command = [EXECUTABLE, "local", "serve", "--workers", "2", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--db", database_target],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}")
        workers = _workers(process.pid)
        time.sleep(1)  # idle
        process.send_signal(stop)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        process.wait()
    assert len(workers) == 2
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # joined before exit


def _workers(pid: int) -> list[int]:
    """The worker processes of the supervisor ``pid`` (spawned by ``multiprocessing``)."""
    children = [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
