"""The console in a real browser: Playwright driving Debian's Chromium (``/usr/bin/chromium``).

No browser is downloaded: ``.ci/run`` installs Debian's ``chromium`` when it is missing, and
Playwright launches that binary. One browser serves this module's tests (each in a fresh
context, with its own cookies): module scope, not session, because Playwright's synchronous API
keeps an asyncio loop running on the thread while it is open, which would break every later
test of the worker that calls ``asyncio.run``. Playwright's ``launch`` runs Chromium
on a new, empty profile directory of its own; the flags keep it off the network (this machine
has none but the loopback).

``KRATY_CONSOLE_SCREENSHOTS=docs`` saves the README's screenshots into ``docs/`` as a side
effect of the layout test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kraty_local.shared_server import Served

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("KRATY_CHROMIUM", "/usr/bin/chromium")
#: Headless, unsandboxed (CI runs as root), and nothing that phones home.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("KRATY_CONSOLE_SCREENSHOTS")
PHONE = {"width": 360, "height": 780}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for this module's tests (per pytest-xdist worker running them)."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A tab in a fresh browser context (no cookies), 1280 px wide."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page: Page, server: Served, key: str) -> None:
    """Open the console and send the sign-in form with ``key``."""
    page.goto(server.base_url + "/")
    page.get_by_label("Server key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def test_an_operator_signs_in_bans_unbans_grants_and_redelivers(page: Page, server: Served) -> None:
    from playwright.sync_api import expect

    sign_in(page, server, "kl_test_nope.wrong-key")
    expect(page.get_by_role("alert")).to_contain_text("That key was refused")
    expect(page.get_by_label("Server key")).to_have_value("")

    page.get_by_label("Server key").fill(server.api_key)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Player Lookup")).to_be_visible()
    page.get_by_label("External player id").fill("player_4")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="player_43")).to_be_visible()
    page.get_by_role("link", name="player_42").click()
    badge = page.locator("h1 .badge")
    expect(badge).to_have_text("not banned")
    expect(page.get_by_role("region", name="Game client")).to_contain_text("not registered")

    page.locator("#ban-reason").fill("chargeback abuse")
    page.get_by_role("button", name="Ban", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Player banned.")
    expect(badge).to_have_text("banned")
    expect(page.locator("q.reason")).to_have_text("chargeback abuse")
    page.get_by_role("button", name="Unban").click()
    expect(badge).to_have_text("not banned")

    page.get_by_label("Currency or item").select_option("currency:gems")
    page.get_by_label("Amount").fill("25")
    page.locator("#grant-reason").fill("support ticket 991")
    page.get_by_role("button", name="Grant").click()
    newest = page.locator("table.ledger tbody tr").first
    expect(newest).to_contain_text("support ticket 991")
    expect(newest).to_contain_text("+25")
    wallet = page.locator("section[aria-labelledby=wallet] tbody tr", has_text="gems")
    expect(wallet.locator("td.num")).to_have_text("25")

    server.dispatcher.run_once()  # nothing listens at the endpoint: first attempts fail
    page.get_by_role("link", name="Webhooks").click()
    rows = page.locator("table.deliveries tbody tr")
    expect(rows.filter(has_text="player.banned")).to_have_count(1)
    oldest = rows.last  # player_42's first event: attempted once, failed, a retry planned
    expect(oldest.locator("td.num")).to_have_text("1")
    expect(oldest.locator(".badge")).to_have_text("pending")
    expect(oldest.locator("td").nth(5)).not_to_have_text("—")  # the last error
    oldest.get_by_role("button", name=re.compile("^Redeliver")).click()
    expect(page.get_by_role("status")).to_have_text("Redelivery queued.")
    expect(rows.last.locator("td.num")).to_have_text("0")


def _fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_the_console_fits_360_px_and_works_from_the_keyboard(
    browser: Browser, server: Served
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    try:
        page = context.new_page()
        sign_in(page, server, server.api_key)
        for path in ("/players?q=p", "/players/view?id=player_42", "/webhooks", "/world"):
            page.goto(server.base_url + path)
            assert _fits(page), f"{path} scrolls sideways at 360 px"

        page.goto(server.base_url + "/players/view?id=player_42")
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("Skip to content")
        for _ in range(30):
            if page.evaluate("document.activeElement.id") == "ban-reason":
                break
            page.keyboard.press("Tab")
        page.keyboard.type("spam")
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_have_text("Player banned.")
        if SCREENSHOTS:
            page.screenshot(path=Path(SCREENSHOTS, "console-phone.png"))
    finally:
        context.close()


@pytest.mark.skipif(not SCREENSHOTS, reason="KRATY_CONSOLE_SCREENSHOTS names no directory")
def test_readme_screenshot(page: Page, server: Served) -> None:
    """The README's picture of a player's page."""
    sign_in(page, server, server.api_key)
    page.goto(server.base_url + "/players/view?id=player_42")
    page.locator("#grant-reason").fill("support ticket 991")
    page.get_by_label("Amount").fill("250")
    page.get_by_role("button", name="Grant").click()
    page.screenshot(path=Path(str(SCREENSHOTS), "console-player.png"), full_page=True)
