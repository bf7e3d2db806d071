"""``--json`` on the webhook commands: ``local webhooks`` prints one document, ``webhooks
listen`` one line per event (JSON Lines) while the lines for people go to stderr."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kraty_admin import KratyAdmin
from kraty_admin.cli._app import cli
from kraty_local.settings import Settings
from kraty_local.shared_server import Served

from .listener import SECRET
from .receiver import Receiver
from .test_listen import listen_settings

EXECUTABLE = str(Path(sys.executable).with_name("kraty-admin"))


@pytest.fixture
def settings(database_target: str) -> Settings:
    """The background dispatcher runs (``listen`` needs deliveries to happen by themselves)."""
    return listen_settings(database_target)


def test_local_webhooks_json(server: Served, kraty: KratyAdmin, receiver: Receiver) -> None:
    options = ["--base-url", server.base_url, "--api-key", server.api_key, "--json"]
    runner = CliRunner()
    listed = runner.invoke(cli, ["local", "webhooks", *options])
    assert json.loads(listed.stdout) == {"endpoints": [], "deliveries": []}

    redelivered = runner.invoke(cli, ["local", "webhooks", *options, "--redeliver", "nope"])

    assert redelivered.exit_code == 1
    assert redelivered.stderr == ""
    assert json.loads(redelivered.stdout)["error"]["code"] == "failed"
    assert "Unknown event" in json.loads(redelivered.stdout)["error"]["message"]


def test_listen_json_prints_one_line_per_event(
    server: Served, kraty: KratyAdmin, receiver: Receiver
) -> None:
    process = subprocess.Popen(
        [EXECUTABLE, "webhooks", "listen", "--forward-to", receiver.url, "--json"],
        env={
            **os.environ,
            "KRATY_BASE_URL": server.base_url,
            "KRATY_SERVER_KEY": server.api_key,
            "KRATY_WEBHOOK_SECRET": SECRET,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        kraty.wallet.credit("p1", "gold", amount=5, idempotency_key="r1")
        attempts = [json.loads(process.stdout.readline()) for _ in range(2)]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)

    assert ready["event"] == "ready"
    assert ready["data"]["endpoint"]["url"] == receiver.url
    assert "secret" not in ready["data"]["endpoint"]
    assert [a["event"] for a in attempts] == ["attempt", "attempt"]
    names = {a["data"]["eventName"] for a in attempts}
    assert names == {"player.registered", "wallet.changed"}
    assert {a["data"]["status"] for a in attempts} == {"delivered"}
    assert process.returncode == 130
    assert "Signed with the secret in $KRATY_WEBHOOK_SECRET." in stderr  # people's lines
    assert SECRET not in stderr
    assert stderr.rstrip().endswith("Temporary endpoint removed.")
