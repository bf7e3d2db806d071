"""``kraty-admin demo``: the product page's walkthrough, run against a throwaway Kraty Local.

Every step calls the real SDK over a real socket and checks what came back, so the demo is also
a smoke test: it exits non-zero if the server or the SDK ever disagrees with the product page.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.text import Text

from kraty_admin import KratyAdmin, KratyError, KratyServerError
from kraty_admin.cli._local_options import supplied_server_key
from kraty_admin.cli._output import emit, json_mode

if TYPE_CHECKING:
    from kraty_local.testing import PlayerClient

_LOCAL_HINT = "the demo needs Kraty Local:  pip install 'kraty-admin[local]'"
_PLAYER = "player_42"
_RECEIPT = "apple_receipt_abc"


class DemoFailure(click.ClickException):
    """A step's result differed from what the product page promises."""

    code = "demo_failed"


class Walkthrough:
    """Runs and narrates the steps; each check failing stops the demo with a clear message."""

    def __init__(self, console: Console, kraty: KratyAdmin, game: PlayerClient) -> None:
        self.console = console
        self.kraty = kraty
        self.game = game  # the player's game client, on /sdk/v1
        self.steps = 0

    def step(self, title: str, why: str, code: str) -> None:
        """Announce a step: what it shows and the SDK call behind it."""
        self.steps += 1
        self.console.rule(f"[bold cyan]{self.steps}. {title}", align="left")
        self.console.print(why, style="dim")
        self.console.print(
            Syntax(code.strip(), "python", theme="ansi_dark", background_color="default")
        )

    def show(self, value: Any) -> None:
        """Print a result as indented JSON."""
        text = json.dumps(value, ensure_ascii=False, default=str)
        if len(text) > self.console.width:
            text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
        self.console.print(_highlighted(text, "json"))

    def expect(self, condition: bool, promise: str) -> None:
        """Check a promise of the product page; print it, or stop the demo if it is broken."""
        if not condition:
            raise DemoFailure(f"step {self.steps}: expected {promise}")
        self.console.print(f"[green]✓[/] {promise}")

    def expect_error(self, call: Callable[[], object], check: str) -> KratyServerError:
        """Run ``call``, which must raise a ``KratyServerError`` whose ``check`` property holds."""
        try:
            call()
        except KratyServerError as err:
            self.console.print(f"[yellow]KratyServerError[/] {err}")
            self.expect(bool(getattr(err, check)), f"err.{check} is True")
            return err
        raise DemoFailure(f"step {self.steps}: expected a KratyServerError ({check})")


def _highlighted(text: str, lexer: str) -> Syntax:
    return Syntax(text, lexer, theme="ansi_dark", background_color="default", word_wrap=True)


def _fulfilment(demo: Walkthrough) -> None:
    kraty = demo.kraty
    demo.step(
        "IAP fulfilment",
        "Credit 500 gold for an App Store receipt; the receipt id is the idempotency key.",
        f'kraty.wallet.credit("{_PLAYER}", "gold", amount=500, reason="iap",\n'
        f'                    source_ref_id="{_RECEIPT}",\n'
        f'                    idempotency_key="{_RECEIPT}")',
    )
    out = kraty.wallet.credit(
        _PLAYER, "gold", amount=500, reason="iap", source_ref_id=_RECEIPT, idempotency_key=_RECEIPT
    )
    demo.show(out)
    demo.expect(out["balance"] == 500 and out["applied"], "balance 500, applied")

    demo.step(
        "Replay",
        "The store retries the webhook, or a worker crashes after the call: same key, same body.",
        "kraty.wallet.credit(...same arguments...)",
    )
    replay = kraty.wallet.credit(
        _PLAYER, "gold", amount=500, reason="iap", source_ref_id=_RECEIPT, idempotency_key=_RECEIPT
    )
    demo.show(replay)
    demo.expect(replay["balance"] == 500 and not replay["applied"], "nothing paid twice")

    demo.step(
        "Idempotency conflict",
        "A misconfigured retry sends a different amount under the same key.",
        f'kraty.wallet.credit("{_PLAYER}", "gold", amount=5000,\n'
        f'                    idempotency_key="{_RECEIPT}")',
    )
    err = demo.expect_error(
        lambda: kraty.wallet.credit(
            _PLAYER,
            "gold",
            amount=5000,
            reason="iap",
            source_ref_id=_RECEIPT,
            idempotency_key=_RECEIPT,
        ),
        "is_idempotency_conflict",
    )
    demo.expect(err.details["differingFields"] == ["amount"], "the error names the changed field")


def _inventory(demo: Walkthrough) -> None:
    kraty = demo.kraty
    demo.step(
        "Inventory grant and chargeback",
        "Grant 10 potions, revoke them on a chargeback, then try once more.",
        f'kraty.inventory.grant("{_PLAYER}", "health_potion", quantity=10,\n'
        '                      reason="iap_potion_pack",\n'
        '                      idempotency_key="apple_receipt_xyz")\n'
        f'kraty.inventory.revoke("{_PLAYER}", "health_potion", quantity=10,\n'
        '                       reason="chargeback", idempotency_key="chargeback_xyz")',
    )
    granted = kraty.inventory.grant(
        _PLAYER,
        "health_potion",
        quantity=10,
        reason="iap_potion_pack",
        idempotency_key="apple_receipt_xyz",
    )
    revoked = kraty.inventory.revoke(
        _PLAYER, "health_potion", quantity=10, reason="chargeback", idempotency_key="chargeback_xyz"
    )
    demo.show([granted, revoked])
    demo.expect(granted["quantity"] == 10 and revoked["quantity"] == 0, "10 granted, 0 left")
    err = demo.expect_error(
        lambda: kraty.inventory.revoke(
            _PLAYER, "health_potion", quantity=1, idempotency_key="chargeback_again"
        ),
        "is_conflict",
    )
    demo.expect(err.details["available"] == 0, "quantities never go negative")


def _grants(demo: Walkthrough) -> None:
    kraty = demo.kraty
    demo.step(
        "Mixed grant and server-side claim",
        "Currencies, items and crates in one atomic grant, claimed by the server.",
        f'grant = kraty.grants.create("{_PLAYER}", idempotency_key="iap_starter_pack",\n'
        "                            entries=[\n"
        '    {"type": "currency", "currencyKey": "gold", "amount": 500},\n'
        '    {"type": "currency", "currencyKey": "gems", "amount": 50},\n'
        '    {"type": "item", "itemKey": "starter_chest", "quantity": 1},\n'
        '    {"type": "crate", "crateItemKey": "legendary_box", "quantity": 2},\n'
        f'], source_ref_id="{_RECEIPT}")\n'
        f'kraty.grants.ack("{_PLAYER}", grant["id"])',
    )
    grant = kraty.grants.create(
        _PLAYER,
        idempotency_key="iap_starter_pack",
        entries=[
            {"type": "currency", "currencyKey": "gold", "amount": 500},
            {"type": "currency", "currencyKey": "gems", "amount": 50},
            {"type": "item", "itemKey": "starter_chest", "quantity": 1},
            {"type": "crate", "crateItemKey": "legendary_box", "quantity": 2},
        ],
        source_kind="api",
        source_ref_id=_RECEIPT,
        metadata={"attribution": "campaign_42"},
    )
    demo.expect(grant["status"] == "pending", "the grant waits in the player's inbox")
    claimed = kraty.grants.ack(_PLAYER, grant["id"])
    demo.show(
        {k: claimed[k] for k in ("id", "status", "claimedAt")} | {"ackedBy": claimed.get("ackedBy")}
    )
    demo.expect(claimed["status"] == "claimed", "claimed, ackedBy server_api")

    demo.step(
        "Player snapshot",
        "The unified view a support tool shows.",
        f'snap = kraty.players.get("{_PLAYER}")',
    )
    snap = kraty.players.get(_PLAYER)
    balances = {w["economyKey"]: w["balance"] for w in snap["wallet"]}
    demo.show(
        {
            "wallet": balances,
            "inventory": {i["itemKey"]: i["quantity"] for i in snap["inventory"]},
            "recentGrants": [(g["kind"], g["status"]) for g in snap["recentGrants"]],
        }
    )
    demo.expect(balances == {"gold": 1000, "gems": 50}, "gold 500 + 500, gems 50")
    crates = [g for g in snap["recentGrants"] if g["kind"] == "crate"]
    demo.expect(
        [g["status"] for g in crates] == ["pending"],
        "the crate entry became a pending child grant, rolled when claimed",
    )


def _moderation(demo: Walkthrough) -> None:
    kraty, game = demo.kraty, demo.game
    demo.step(
        "Soft ban",
        "Flag a cheater: the game's own writes are refused until the unban (both calls are\n"
        "idempotent); the game client is kraty_local.testing.PlayerClient, on /sdk/v1.",
        f'bonus = kraty.grants.create("{_PLAYER}", idempotency_key="daily_bonus",\n'
        '                            entries=[{"type": "currency", "currencyKey": "gold",\n'
        '                                      "amount": 100}])\n'
        f'kraty.players.ban("{_PLAYER}", reason="score anomaly: gained 5000 in 2s")\n'
        'game.claim(bonus["id"])         # the player\'s game client: 403 player_banned\n'
        f'kraty.players.unban("{_PLAYER}")\n'
        'game.claim(bonus["id"])         # claimed',
    )
    game.register()
    bonus = kraty.grants.create(
        _PLAYER,
        idempotency_key="daily_bonus",
        entries=[{"type": "currency", "currencyKey": "gold", "amount": 100}],
    )
    first = kraty.players.ban(_PLAYER, reason="score anomaly: gained 5000 in 2s")
    again = kraty.players.ban(_PLAYER, reason="score anomaly: confirmed")
    demo.show([first, again])
    demo.expect(first["applied"] and not again["applied"], "a re-ban refreshes the reason only")
    demo.expect_error(
        lambda: game.claim(bonus["id"], idempotency_key="claim_bonus"), "is_player_banned"
    )
    lifted = kraty.players.unban(_PLAYER)
    claimed = game.claim(bonus["id"], idempotency_key="claim_bonus")
    demo.show([lifted, {k: claimed[k] for k in ("id", "status", "ackedBy")}])
    demo.expect(lifted["applied"], "unbanned")
    demo.expect(
        claimed["status"] == "claimed" and game.balance("gold") == 1100,
        "the same claim now goes through: gold 1000 + 100",
    )

    demo.step(
        "Merge a guest account",
        "The player signed in on a second device as a guest who bought 250 gold.",
        'kraty.wallet.credit("guest_7", "gold", amount=250,\n'
        '                    idempotency_key="guest_receipt")\n'
        f'kraty.players.merge("guest_7", "{_PLAYER}")',
    )
    kraty.wallet.credit("guest_7", "gold", amount=250, idempotency_key="guest_receipt")
    merged = kraty.players.merge("guest_7", _PLAYER)
    demo.show(merged)
    gold = {w["economyKey"]: w["balance"] for w in kraty.players.get(_PLAYER)["wallet"]}["gold"]
    demo.expect(merged["status"] == "merged" and gold == 1350, "balances add up: 1100 + 250 gold")


def _migration(demo: Walkthrough, rows: int) -> None:
    kraty = demo.kraty
    demo.step(
        "Bulk import from another platform",
        f"Stream {rows:,} players, then {rows:,} wallet balances, 1,000 rows per request.",
        'kraty.migrate.players_all({"externalPlayerId": f"pf_{i}",\n'
        '                           "idempotencyKey": f"pf_{i}"}\n'
        "                          for i in range(n))\n"
        'kraty.migrate.wallet_all({"externalPlayerId": f"pf_{i}", "economyKey": "gold",\n'
        '                          "amount": 100, "idempotencyKey": f"pf_{i}:gold"}\n'
        "                         for i in range(n))",
    )
    started = time.perf_counter()
    players = kraty.migrate.players_all(_player_rows(rows))
    wallets = kraty.migrate.wallet_all(_wallet_rows(rows))
    elapsed = time.perf_counter() - started
    demo.show({"players": _counts(players), "wallet": _counts(wallets)})
    demo.console.print(f"{2 * rows:,} rows in {elapsed:.1f} s ({2 * rows / elapsed:,.0f} rows/s)")
    demo.expect(players["applied"] == rows and wallets["applied"] == rows, "every row applied")
    rerun = kraty.migrate.players_all(_player_rows(rows))
    demo.expect(rerun["skipped"] == rows, "re-running the import applies nothing twice")


def _player_rows(n: int) -> Iterator[dict[str, Any]]:
    return ({"externalPlayerId": f"pf_{i}", "idempotencyKey": f"pf_{i}"} for i in range(n))


def _wallet_rows(n: int) -> Iterator[dict[str, Any]]:
    return (
        {
            "externalPlayerId": f"pf_{i}",
            "economyKey": "gold",
            "amount": 100,
            "idempotencyKey": f"pf_{i}:gold",
        }
        for i in range(n)
    )


def _counts(outcome: Any) -> dict[str, int]:
    return {key: outcome[key] for key in ("applied", "skipped", "failed")}


def _lobbies(demo: Walkthrough) -> None:
    kraty = demo.kraty
    demo.step(
        "Push a pre-matched lobby",
        "Your matchmaker (Steam, GameLift, Photon) matched three players; Kraty hosts the event.",
        'lobby = kraty.lobbies.push("game_1", "quick_brawl", key="matchmaker_lobby_123",\n'
        '                           external_player_ids=["alice", "bob", "carol"],\n'
        "                           capacity=4, fill_bots=False)\n"
        'kraty.lobbies.read("game_1", lobby["id"])',
    )
    lobby = kraty.lobbies.push(
        "game_1",
        "quick_brawl",
        key="matchmaker_lobby_123",
        external_player_ids=["alice", "bob", "carol"],
        capacity=4,
        fill_bots=False,
    )
    read = kraty.lobbies.read("game_1", lobby["id"])
    demo.show(read)
    demo.expect(read["participantCount"] == 3, "three participants")
    demo.expect_error(
        lambda: kraty.lobbies.push(
            "game_1", "weekly_race", key="mm_2", external_player_ids=["alice"]
        ),
        "is_conflict",
    )


def _gdpr(demo: Walkthrough) -> None:
    kraty = demo.kraty
    demo.step(
        "GDPR export and erasure",
        "Article 15 (access), then Article 17 (erasure); the ledger stays, anonymized.",
        f'bundle = kraty.players.export("{_PLAYER}")\n'
        f'out = kraty.players.delete("{_PLAYER}", reason="gdpr_erasure")',
    )
    bundle = kraty.players.export(_PLAYER)
    demo.show(
        {
            key: len(value) if isinstance(value, list) else value
            for key, value in bundle.items()
            if key != "player"
        }
    )
    erased = kraty.players.delete(_PLAYER, reason="gdpr_erasure")
    demo.show(erased)
    demo.expect(erased["status"] == "erased", "erased")
    demo.expect(
        kraty.players.delete(_PLAYER)["status"] == "no_op_already_erased",
        "a second erase is a no-op",
    )
    demo.expect_error(lambda: kraty.players.export(_PLAYER), "is_not_found")


@click.command("demo")
@click.option("--rows", default=3000, show_default=True, help="Rows per migration table.")
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Keep Kraty Local's SQLite file here (default: a temporary file, removed afterwards).",
)
def demo(rows: int, db: str | None) -> None:
    """Start Kraty Local on a temporary SQLite file and walk through the product page."""
    try:
        from kraty_local.server import LocalServer
        from kraty_local.settings import Settings
        from kraty_local.testing import PlayerClient
    except ImportError as exc:
        raise click.ClickException(f"{_LOCAL_HINT}\n(missing module: {exc.name})") from None
    console = Console(highlight=False, quiet=json_mode())  # --json: the summary only
    with tempfile.TemporaryDirectory(prefix="kraty-demo-") as scratch:
        path = Path(db) if db else Path(scratch) / "kraty-local.sqlite"
        settings = Settings(database=str(path), server_key=supplied_server_key())
        with LocalServer(settings=settings) as server:
            console.print(
                Panel.fit(
                    f"Kraty Local is serving on [bold]{server.base_url}[/] (SQLite: {path})\n"
                    "Every step below calls kraty_admin over a real socket.",
                    title="kraty-admin demo",
                )
            )
            with (
                KratyAdmin(api_key=server.api_key, base_url=server.base_url) as kraty,
                PlayerClient(server.base_url, server.client_key, _PLAYER) as game,
            ):
                walkthrough = Walkthrough(console, kraty, game)
                ping = kraty.health.ping()
                console.print(f"ping: ok={ping['ok']}, key prefix {ping['apiKey']['prefix']}")
                try:
                    for part in (_fulfilment, _inventory, _grants, _moderation, _lobbies, _gdpr):
                        part(walkthrough)
                    _migration(walkthrough, rows)
                except KratyError as err:
                    raise DemoFailure(f"step {walkthrough.steps}: unexpected {err!r}") from None
    console.rule("[bold green]done")
    emit(
        {"steps": walkthrough.steps, "rows": rows, "ok": True},
        Text(f"All {walkthrough.steps} steps behaved as the product page says.", style="green"),
    )
