"""``kraty-admin local serve --workers N``: PostgreSQL only; workers build the app from the env."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kraty_admin.cli._app import cli
from kraty_local import server as server_module
from kraty_local.app import create_app_from_env
from kraty_local.settings import DATABASE_ENV, SERVER_KEY_ENV, WORLD_FILE_ENV

EXAMPLE_WORLD = Path(__file__).parents[2] / "src" / "kraty_local" / "world.example.toml"


@pytest.fixture(autouse=True)
def _restore_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (DATABASE_ENV, SERVER_KEY_ENV, WORLD_FILE_ENV):
        monkeypatch.delenv(name, raising=False)


def test_several_workers_need_postgresql(tmp_path: Path) -> None:
    db = tmp_path / "one-writer.sqlite"

    result = CliRunner().invoke(cli, ["local", "serve", "--workers", "2", "--db", str(db)])

    assert result.exit_code == 1
    assert "several workers need PostgreSQL" in result.output
    assert not db.exists()


def test_workers_get_database_world_and_key_from_the_environment(
    database_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "://" not in database_target:
        pytest.skip("several workers need PostgreSQL")
    served: list[tuple[object, dict[str, object]]] = []
    monkeypatch.setattr(server_module.uvicorn, "run", lambda app, **kw: served.append((app, kw)))
    monkeypatch.setenv(SERVER_KEY_ENV, "kl_workers.s3cret")
    args = ["--workers", "3", "--port", "8998", "--db", database_target]

    result = CliRunner().invoke(cli, ["local", "serve", *args, "--world", str(EXAMPLE_WORLD)])

    assert result.exit_code == 0, result.output
    assert "3 worker processes" in result.output
    assert "s3cret" not in result.output  # a supplied key is never echoed
    snippet = 'api_key=os.environ["KRATY_LOCAL_SERVER_KEY"], base_url="http://127.0.0.1:8998"'
    assert snippet in result.output
    [(target, options)] = served
    assert target == "kraty_local.app:create_app_from_env"
    assert options == {
        "factory": True,
        "host": "127.0.0.1",
        "port": 8998,
        "workers": 3,
        "log_level": "info",
    }
    app = create_app_from_env()  # what each worker process runs
    try:
        assert app.state.runtime.settings.database == database_target
        assert app.state.runtime.server_key == "kl_workers.s3cret"
    finally:
        app.state.runtime.close()


def test_a_worker_without_a_database_refuses_to_start() -> None:
    with pytest.raises(RuntimeError, match=DATABASE_ENV):
        create_app_from_env()
