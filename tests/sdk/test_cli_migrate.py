"""``kraty-admin migrate players|wallet|inventory FILE``, driven through click's CliRunner."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import kraty_admin.cli._connection
from kraty_admin import KratyAdmin, RetryConfig
from kraty_admin.cli._app import cli
from tests._http import RespxRequest, RespxResponse, mock_http

KEY = "sk_test_cli_SECRET_4f9a"
BASE = "https://kraty.test"


class Server:
    """A fake migration endpoint.

    Rows with ``"bad": true`` fail alone; a batch holding a player in ``down`` answers 500;
    with ``refuse_key`` every request answers 401.
    """

    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.down: set[str] = set()
        self.refuse_key = False
        self._lock = threading.Lock()

    def __call__(self, request: RespxRequest) -> RespxResponse:
        rows = json.loads(request.content)["rows"]
        if self.refuse_key:
            body = {"error": {"code": "session_invalid", "message": "unknown key", "details": None}}
            return RespxResponse(401, json=body)
        if any(row["externalPlayerId"] in self.down for row in rows):
            body = {"error": {"code": "internal_error", "message": "db down", "details": None}}
            return RespxResponse(500, json=body)
        with self._lock:
            self.batches.append(rows)
        failures = [
            {"rowIndex": i, "error": {"code": "not_found", "message": "unknown player"}}
            for i, row in enumerate(rows)
            if row.get("bad")
        ]
        outcome = {
            "applied": len(rows) - len(failures),
            "skipped": 0,
            "failed": len(failures),
            "failures": failures,
        }
        return RespxResponse(200, json={"data": outcome})

    def rows(self) -> list[dict[str, Any]]:
        return sorted(
            (row for batch in self.batches for row in batch),
            key=lambda row: int(row["externalPlayerId"][1:]),
        )


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    fake = Server()
    no_wait = RetryConfig(attempts=2, initial_delay=0, max_delay=0, jitter=0)
    monkeypatch.setattr(
        kraty_admin.cli._connection, "KratyAdmin", functools.partial(KratyAdmin, retry=no_wait)
    )
    with mock_http(base_url=BASE, assert_all_called=False) as api:
        api.post(url__regex=r"/server/v1/migrate/\w+").mock(side_effect=fake)
        yield fake


def invoke(*args: str, stdin: str | None = None, key: str | None = KEY) -> Result:
    env = {"KRATY_BASE_URL": BASE, "KRATY_SERVER_KEY": key}
    result = CliRunner().invoke(cli, ["migrate", *args], input=stdin, env=env)
    assert KEY not in result.output
    return result


def jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def players(count: int) -> list[dict[str, Any]]:
    return [{"externalPlayerId": f"p{i}"} for i in range(count)]


def test_jsonl_import(tmp_path: Path, server: Server) -> None:
    source = jsonl(tmp_path / "players.jsonl", players(25))

    result = invoke("players", str(source), "--batch-size", "10", "--concurrency", "2")

    assert result.exit_code == 0, result.output
    assert sorted(len(batch) for batch in server.batches) == [5, 10, 10]
    assert [row["externalPlayerId"] for row in server.rows()] == [f"p{i}" for i in range(25)]
    assert all(row["idempotencyKey"].startswith("auto:") for row in server.rows())
    assert "applied" in result.stdout
    assert "25" in result.stdout
    assert "rows/s" in result.stdout
    assert not (tmp_path / "players.jsonl.failures.jsonl").exists()


def test_csv_import_converts_numbers_and_json(tmp_path: Path, server: Server) -> None:
    source = tmp_path / "items.csv"
    source.write_text(
        "externalPlayerId,itemKey,quantity,parameters,reason\n"
        'p1,chest,2,"{""rolled"": {""atk"": 4}}",\n'
        "p2,sword,1,,migration\n",
        encoding="utf-8",
    )

    result = invoke("inventory", str(source))

    assert result.exit_code == 0, result.output
    first, second = server.rows()
    assert first["quantity"] == 2
    assert first["parameters"] == {"rolled": {"atk": 4}}
    assert "reason" not in first
    assert second["reason"] == "migration"
    assert "parameters" not in second


def test_stdin_is_read_as_jsonl(tmp_path: Path, server: Server, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    text = "".join(json.dumps(row) + "\n" for row in players(3))

    result = invoke("players", "-", stdin=text)

    assert result.exit_code == 0, result.output
    assert len(server.rows()) == 3


def test_failed_rows_go_to_the_failures_file(tmp_path: Path, server: Server) -> None:
    rows = players(6)
    rows[4]["bad"] = True
    source = jsonl(tmp_path / "players.jsonl", rows)

    result = invoke("players", str(source), "--batch-size", "2")

    assert result.exit_code == 1
    assert "1 failed row written to" in result.output
    failures = (tmp_path / "players.jsonl.failures.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in failures] == [
        {
            "line": 5,
            "rowIndex": 4,
            "error": {"code": "not_found", "message": "unknown player"},
            "row": {"externalPlayerId": "p4", "bad": True},
        }
    ]


def test_resume_sends_only_unconfirmed_batches(tmp_path: Path, server: Server) -> None:
    rows = players(50)
    rows[33]["bad"] = True  # batch 3 is answered, but with a failed row: not confirmed
    source = jsonl(tmp_path / "players.jsonl", rows)
    server.down = {"p10"}  # batch 1 fails after retries

    first = invoke("players", str(source), "--batch-size", "10", "--concurrency", "3")

    assert first.exit_code == 1
    checkpoint = json.loads((tmp_path / "players.jsonl.checkpoint.json").read_text())
    assert checkpoint == {
        "table": "players",
        "batchSize": 10,
        "confirmed": [[0, 1], [2, 3], [4, 5]],
    }
    log = (tmp_path / "players.jsonl.failures.jsonl").read_text().splitlines()
    failed = sorted((json.loads(line) for line in log), key=lambda entry: entry["rowIndex"])
    assert [entry["rowIndex"] for entry in failed] == [*range(10, 20), 33]
    assert failed[0]["batchRange"] == [10, 20]
    assert failed[0]["line"] == 11

    server.down = set()
    server.batches.clear()
    rows[33].pop("bad")
    jsonl(source, rows)
    second = invoke("players", str(source), "--resume")

    assert second.exit_code == 0, second.output
    sent = [row["externalPlayerId"] for row in server.rows()]
    assert sent == [f"p{i}" for i in [*range(10, 20), *range(30, 40)]]
    assert "resumed" in second.stdout
    assert not (tmp_path / "players.jsonl.failures.jsonl").exists()
    checkpoint = json.loads((tmp_path / "players.jsonl.checkpoint.json").read_text())
    assert checkpoint["confirmed"] == [[0, 5]]

    server.batches.clear()
    assert invoke("players", str(source), "--resume").exit_code == 0
    assert server.batches == []


def test_resume_with_another_batch_size_is_refused(tmp_path: Path, server: Server) -> None:
    source = jsonl(tmp_path / "players.jsonl", players(5))
    assert invoke("players", str(source), "--batch-size", "2").exit_code == 0

    result = invoke("players", str(source), "--resume", "--batch-size", "3")

    assert result.exit_code == 2
    assert "--batch-size 2" in result.output


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "p.jsonl",
            '{"externalPlayerId": "p0"}\n\n{"externalPlayerId": \n',
            "line 3: not valid JSON",
        ),
        ("p.jsonl", '["p0"]\n', "line 1: expected a JSON object"),
        ("w.csv", "externalPlayerId,amount\np1,10\np2,ten\n", "line 3: amount must be an integer"),
        (
            "i.csv",
            "externalPlayerId,parameters\np1,{oops\n",
            "line 2: parameters is not valid JSON",
        ),
        ("i.csv", "externalPlayerId\np1,extra\n", "line 2: more cells than header columns"),
    ],
)
def test_malformed_input_names_the_line(
    tmp_path: Path, server: Server, name: str, text: str, message: str
) -> None:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")

    result = invoke("players", str(source))

    assert result.exit_code == 2
    assert f"{source}, {message}" in result.output
    assert server.batches == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["players", "missing.jsonl"], "does not exist"),
        (["accounts", "x.jsonl"], "Invalid value"),
        (["players", "-", "--batch-size", "1001"], "1<=x<=1000"),
        (["players", "-", "--concurrency", "0"], "x>=1"),
        (["players", "-", "--resume"], "--resume needs a file"),
    ],
)
def test_usage_errors_exit_2(server: Server, args: list[str], message: str) -> None:
    result = invoke(*args, stdin="")
    assert result.exit_code == 2
    assert message in result.output


def test_missing_key_is_a_usage_error(tmp_path: Path, server: Server) -> None:
    source = jsonl(tmp_path / "players.jsonl", players(1))
    result = invoke("players", str(source), key=None)
    assert result.exit_code == 2
    assert "KRATY_SERVER_KEY" in result.output


def test_refused_key_exits_1_without_printing_it(tmp_path: Path, server: Server) -> None:
    source = jsonl(tmp_path / "players.jsonl", players(3))
    server.refuse_key = True

    result = invoke("players", str(source), "--api-key", KEY)

    assert result.exit_code == 1
    assert "session_invalid" in result.output
    # invoke() asserts the key appears nowhere in the output
