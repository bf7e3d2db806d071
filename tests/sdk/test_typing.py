"""Static types: both clients type-check under ``mypy --strict``; sync calls return the TypedDict,
async calls return an ``Awaitable`` of it."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

USAGE = textwrap.dedent(
    """
    from __future__ import annotations

    import asyncio

    from kraty_admin import KratyAdmin, KratyAdminAsync, KratyServerError, RetryConfig
    from kraty_admin.types import WalletChange


    def sync_usage() -> int:
        with KratyAdmin(api_key="sk", retry=RetryConfig(attempts=2)) as kraty:
            change = kraty.wallet.credit("p", "gold", amount=5, idempotency_key="r")
            reveal_type(change)  # SYNC_CREDIT
            friends = kraty.players.friends("p")
            reveal_type(friends)  # SYNC_FRIENDS
            ping = kraty.health.ping()
            reveal_type(ping)  # SYNC_PING
            reveal_type(kraty.wallet)  # SYNC_WALLET
            reveal_type(kraty.migrate)  # SYNC_MIGRATE
            raw = kraty.with_raw_response.wallet.credit("p", "gold", amount=5)
            reveal_type(raw)  # SYNC_RAW
            reveal_type(raw.parse())  # SYNC_RAW_PARSED
            lobby = kraty.lobbies.push("g", "e", key="k", external_player_ids=["a"], capacity=2)
            grant = kraty.grants.create(
                "p",
                idempotency_key="r",
                entries=[{"type": "currency", "currencyKey": "gold", "amount": 5}],
            )
            try:
                kraty.players.get("p")
            except KratyServerError as err:
                if err.is_not_found:
                    return err.status
            return change["balance"] + lobby["capacity"] + len(grant["id"])


    async def async_usage() -> int:
        async with KratyAdminAsync(api_key="sk") as kraty:
            pending = kraty.wallet.credit("p", "gold", amount=5)
            reveal_type(pending)  # ASYNC_CREDIT
            change: WalletChange = await pending
            outcome = await kraty.events.finish("p", "e", "a")
            reveal_type(outcome)  # ASYNC_FINISH
            raw_pending = kraty.with_raw_response.events.finish("p", "e", "a")
            reveal_type(raw_pending)  # ASYNC_RAW
            raw = await raw_pending
            reveal_type(raw.parse())  # ASYNC_RAW_PARSED
            reveal_type(kraty.migrate)  # ASYNC_MIGRATE
            return change["balance"] + len(outcome["outcome"])


    asyncio.run(async_usage())
    """
)


MISUSE = textwrap.dedent(
    """
    from kraty_admin import KratyAdmin, KratyAdminAsync

    def f(kraty: KratyAdmin, akraty: KratyAdminAsync) -> int:
        kraty.wallet.credit("p", "gold", amount="five")
        kraty.players.get("p", 42)
        change = akraty.wallet.credit("p", "gold", amount=5)
        return change["balance"]
    """
)

STUDIO_SCRIPT = textwrap.dedent(
    """
    from kraty_admin import KratyAdmin

    def f(kraty: KratyAdmin) -> None:
        kraty.lobbies.push("g", "e", key="k", external_player_ids="player_1")
        kraty.grants.create(
            "p", "r", entries=[{"type": "curency", "currencyKey": "gold", "amount": 5}]
        )
        kraty.lobbies.push("g", "e", key="k", external_player_ids=["player_1"])
        kraty.grants.create(
            "p", "r", entries=[{"type": "currency", "currencyKey": "gold", "amount": 5}]
        )
    """
)

SOURCES = {"typing_usage": USAGE, "typing_misuse": MISUSE, "studio_script": STUDIO_SCRIPT}


@dataclass(frozen=True)
class Checked:
    """What one ``mypy --strict`` run said about each file of :data:`SOURCES`."""

    stdout: str
    lines: dict[str, list[str]]

    def errors(self, name: str) -> list[str]:
        """The error lines about the file ``name``."""
        return [line for line in self.lines[name] if ": error:" in line]


@pytest.fixture(scope="session")
def checked(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Checked:
    """One ``mypy --strict`` run (mypy's API, in-process) over every snippet of this module.

    mypy's start-up (loading typeshed and ``kraty_admin``) is most of its cost, so the snippets
    share a run; each file's messages are told apart by its path. pytest's cache keeps mypy
    warm across runs; without it, a cold run in a temporary folder.
    """
    folder = tmp_path_factory.mktemp("typing")
    for name, source in SOURCES.items():
        (folder / f"{name}.py").write_text(source)
    cache = getattr(pytestconfig, "cache", None)
    cache_dir = cache.mkdir("mypy-typing-test") if cache is not None else folder / "mypy-cache"
    stdout, stderr, _ = mypy_api.run(
        [
            "--strict",
            "--no-color-output",
            "--show-error-codes",
            "--cache-dir",
            str(cache_dir),
            "--config-file",
            "",
            *(str(folder / f"{name}.py") for name in SOURCES),
        ]
    )
    lines: dict[str, list[str]] = {name: [] for name in SOURCES}
    for line in stdout.splitlines():
        # By file name: a warm cache reports a file's messages under the path it was cached at.
        name = Path(line.split(":", 1)[0]).stem
        if name in lines:
            lines[name].append(line)
        else:  # nothing else may fail: not kraty_admin itself, not mypy's set-up
            assert ": error:" not in line, stdout + stderr
    return Checked(stdout + stderr, lines)


WALLET_CHANGE_KEYS = ["economyKey", "balance", "applied"]


def is_typed_dict(revealed: str, name: str, keys: list[str]) -> bool:
    """Whether mypy revealed the TypedDict ``name`` (by name, or by its fields in mypy >= 2).

    Field order in mypy's rendering differs between a cold and a cached run, so compare sets.
    """
    if not revealed.startswith("TypedDict("):
        return False
    if f"kraty_admin.types.{name}" in revealed:
        return True
    return set(keys) <= set(re.findall(r"'(\w+)': ", revealed))


def _revealed(output: str, usage: str) -> dict[str, str]:
    """Map each ``# MARKER`` in the usage file to the type mypy revealed on that line."""
    markers = {
        number: match.group(1)
        for number, line in enumerate(usage.splitlines(), start=1)
        if (match := re.search(r"# ([A-Z_]+)$", line))
    }
    revealed = {}
    for line in output.splitlines():
        match = re.match(r'.*?:(\d+): note: Revealed type is "(.*)"$', line)
        if match and int(match.group(1)) in markers:
            revealed[markers[int(match.group(1))]] = match.group(2)
    return revealed


@pytest.mark.slow
def test_usage_type_checks_strictly(checked: Checked) -> None:
    stdout = checked.stdout
    assert checked.errors("typing_usage") == [], stdout
    revealed = _revealed("\n".join(checked.lines["typing_usage"]), USAGE)
    assert set(revealed) == {
        "SYNC_CREDIT",
        "SYNC_FRIENDS",
        "SYNC_PING",
        "SYNC_WALLET",
        "SYNC_MIGRATE",
        "SYNC_RAW",
        "SYNC_RAW_PARSED",
        "ASYNC_CREDIT",
        "ASYNC_FINISH",
        "ASYNC_RAW",
        "ASYNC_RAW_PARSED",
        "ASYNC_MIGRATE",
    }, stdout
    assert is_typed_dict(revealed["SYNC_CREDIT"], "WalletChange", WALLET_CHANGE_KEYS)
    assert is_typed_dict(revealed["SYNC_PING"], "Ping", ["ok", "apiKey"])
    friends = revealed["SYNC_FRIENDS"].replace("builtins.", "")
    assert friends.startswith("list["), friends
    assert friends.endswith("]"), friends
    assert is_typed_dict(
        friends[len("list[") : -1],
        "Friend",
        ["externalPlayerId", "displayIdentity", "friendsSince", "online"],
    )
    pending = revealed["ASYNC_CREDIT"]
    prefix = "typing.Awaitable["
    assert pending.startswith(prefix)
    assert pending.endswith("]")
    assert is_typed_dict(pending[len(prefix) : -1], "WalletChange", WALLET_CHANGE_KEYS)
    assert is_typed_dict(revealed["ASYNC_FINISH"], "FinishResult", ["attempt", "outcome"])


@pytest.mark.slow
def test_resources_and_raw_responses_are_typed(checked: Checked) -> None:
    """The lazily loaded namespaces keep exact types; raw calls wrap the same value type."""
    revealed = _revealed("\n".join(checked.lines["typing_usage"]), USAGE)
    assert revealed["SYNC_WALLET"] == (
        "kraty_admin._resources.wallet.Wallet[kraty_admin._resources._endpoint.SyncSender]"
    )
    assert revealed["SYNC_MIGRATE"] == "kraty_admin._resources.migrate.SyncMigrate"
    assert revealed["ASYNC_MIGRATE"] == "kraty_admin._resources.migrate.AsyncMigrate"
    raw = "kraty_admin._response.RawResponse["
    assert revealed["SYNC_RAW"].startswith(raw), revealed
    assert is_typed_dict(revealed["SYNC_RAW"][len(raw) : -1], "WalletChange", WALLET_CHANGE_KEYS)
    assert is_typed_dict(revealed["SYNC_RAW_PARSED"], "WalletChange", WALLET_CHANGE_KEYS)
    pending = revealed["ASYNC_RAW"]
    assert pending.startswith(f"typing.Awaitable[{raw}"), pending
    finish = pending[len(f"typing.Awaitable[{raw}") : -2]
    assert is_typed_dict(finish, "FinishResult", ["attempt", "outcome"])
    assert is_typed_dict(revealed["ASYNC_RAW_PARSED"], "FinishResult", ["attempt", "outcome"])


@pytest.mark.slow
def test_misuse_is_caught(checked: Checked) -> None:
    """The checker really checks: a wrong argument and a missing await are errors."""
    errors = checked.errors("typing_misuse")
    assert any(":5:" in line and "arg-type" in line for line in errors), checked.stdout
    assert any(":6:" in line and "call-arg" in line for line in errors), checked.stdout
    assert any(":8:" in line for line in errors), checked.stdout


@pytest.mark.slow
def test_studio_script_mistakes_are_caught(checked: Checked) -> None:
    """A bare string for ``external_player_ids`` and a misspelt entry type fail ``--strict``."""
    errors = "\n".join(checked.errors("studio_script"))
    lines = {int(m.group(1)) for m in re.finditer(r":(\d+): error:", errors)}
    assert 5 in lines, checked.stdout  # the bare string
    assert 6 in lines or 7 in lines, checked.stdout  # the misspelt "curency"
    assert not lines & {8, 9, 10, 11}, checked.stdout  # the correct calls pass
