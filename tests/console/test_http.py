"""The console over plain HTTP: sign-in and its cookie, CSRF, bad input, and that every action
runs the API's services (same ledgers, audit log, outbox and idempotency)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal
from sqlalchemy import select

from kraty_admin import KratyAdmin
from kraty_local.inprocess import PortalTransport
from kraty_local.shared_server import Served
from kraty_local.store.schema import (
    audit_log,
    players,
    wallet_ledger,
    webhook_deliveries,
    webhook_outbox,
)
from kraty_local.testing import PlayerClient
from tests._http import http_lib
from tests.local.helpers import CLIENT_KEY, STUDIO_WIDE_KEY, count, outbox_count

from .conftest import form_value, sign_in


def _export(server: Served, player: str) -> Any:
    with KratyAdmin(api_key=server.api_key, base_url=server.base_url) as kraty:
        return kraty.players.export(player)


def _player_form(client: http_lib.Client, **fields: str) -> dict[str, str]:
    """The fields of a form on player_42's page (its CSRF token and a form's idempotency key),
    with ``fields`` added."""
    page = client.get("/players/view", params={"id": "player_42"}).text
    key = form_value(page, "idempotencyKey")
    return {"csrf": form_value(page, "csrf"), "idempotencyKey": key, "id": "player_42", **fields}


def _error(page: http_lib.Response) -> str:
    start = page.text.index('role="alert">') + len('role="alert">')
    return page.text[start : page.text.index("<", start)]


def test_sign_in_sets_a_strict_http_only_session_cookie(
    console: http_lib.Client, server: Served
) -> None:
    answer = sign_in(console, server.api_key)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/players"
    session = next(c for c in answer.headers.get_list("set-cookie") if "kraty_console=" in c)
    flags = {flag.strip().lower() for flag in session.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= flags
    assert server.api_key not in session
    assert server.api_key.split(".", 1)[1] not in session


@pytest.mark.parametrize("key", ["kl_test_nope.wrong", "not a key", CLIENT_KEY])
def test_a_wrong_key_is_refused_and_gets_no_session(
    console: http_lib.Client, server: Served, key: str
) -> None:
    answer = sign_in(console, key)

    assert answer.status_code in (401, 403)
    assert "That key was refused" in _error(answer)
    assert "kraty_console=" not in " ".join(answer.headers.get_list("set-cookie"))
    assert key not in answer.text
    assert console.get("/players").status_code == 303


def test_pages_and_actions_need_a_session(console: http_lib.Client, server: Served) -> None:
    for path in ("/", "/players", "/players/view?id=player_42", "/webhooks", "/world"):
        answer = console.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/sign-in"), path
    answer = console.post("/players/ban", data={"id": "player_42", "reason": "x", "csrf": "x"})

    assert answer.headers["location"] == "/sign-in"
    assert _export(server, "player_42")["player"]["bannedAt"] is None


def test_the_key_is_never_in_a_page_or_a_url(signed_in: http_lib.Client, server: Served) -> None:
    secret = server.api_key.split(".", 1)[1]
    pages = [
        signed_in.get(path)
        for path in ("/players?q=player", "/players/view?id=player_42", "/webhooks", "/world")
    ]
    pages.append(signed_in.get("/sign-in", follow_redirects=True))

    for page in pages:
        assert page.status_code == 200, page.url
        assert secret not in page.text
        assert secret not in str(page.url)
    assert server.api_key.split(".", 1)[0] in pages[3].text  # the world page: the prefix only


def test_a_form_without_this_sessions_csrf_token_is_refused(
    signed_in: http_lib.Client, server: Served
) -> None:
    page = signed_in.get("/players/view", params={"id": "player_42"})
    fields = {"id": "player_42", "reason": "cheating", "idempotencyKey": "k1"}

    missing = signed_in.post("/players/ban", data=fields)
    forged = signed_in.post("/players/ban", data={**fields, "csrf": "0" * 64})
    foreign = signed_in.post("/players/ban", data={**fields, "csrf": "é"})

    assert [r.status_code for r in (missing, forged, foreign)] == [403, 403, 403]
    assert "did not come from this console session" in _error(missing)
    assert _export(server, "player_42")["player"]["bannedAt"] is None
    assert form_value(page.text, "csrf") != "0" * 64


def test_sign_in_needs_its_own_csrf_token(console: http_lib.Client, server: Served) -> None:
    answer = console.post("/sign-in", data={"csrf": "x", "key": server.api_key})

    assert answer.status_code == 403
    assert "kraty_console=" not in " ".join(answer.headers.get_list("set-cookie"))


def test_ban_and_unban_run_the_api_service(signed_in: http_lib.Client, server: Served) -> None:
    fields = _player_form(signed_in, reason="chargeback abuse")

    banned = signed_in.post("/players/ban", data=fields)
    again = signed_in.post("/players/ban", data=fields)  # a second submit of the same form

    assert banned.headers["location"] == "/players/view?id=player_42&notice=banned"
    assert again.status_code == 303
    player = _export(server, "player_42")["player"]
    assert (player["banReason"], player["bannedAt"] is not None) == ("chargeback abuse", True)
    assert outbox_count(server.engine, "player.banned") == 1
    assert count(server.engine, audit_log, audit_log.c.action == "player.ban") == 1
    shown = signed_in.get(banned.headers["location"]).text
    assert "Player banned." in shown
    assert "chargeback abuse" in shown

    assert signed_in.post("/players/unban", data=_player_form(signed_in)).status_code == 303
    assert _export(server, "player_42")["player"]["bannedAt"] is None
    assert outbox_count(server.engine, "player.unbanned") == 1


def test_a_grant_writes_one_ledger_row_with_its_reason(
    signed_in: http_lib.Client, server: Served
) -> None:
    fields = _player_form(
        signed_in, holding="currency:gems", amount="25", reason="support ticket 991"
    )

    first = signed_in.post("/players/grant", data=fields)
    replay = signed_in.post("/players/grant", data=fields)
    item = signed_in.post(
        "/players/grant",
        data={**fields, "idempotencyKey": "another", "holding": "item:sword"},
    )

    assert [r.status_code for r in (first, replay, item)] == [303, 303, 303]
    with server.engine.connect() as conn:
        rows = conn.execute(
            select(wallet_ledger.c.delta, wallet_ledger.c.reason, wallet_ledger.c.actor).where(
                wallet_ledger.c.economy_key == "gems"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (25, "support ticket 991", f"api_key:{server.api_key.split('.')[0]}")
    ]
    export = _export(server, "player_42")
    assert {i["itemKey"]: i["quantity"] for i in export["inventory"]} == {"sword": 25}
    shown = signed_in.get("/players/view", params={"id": "player_42"}).text
    assert "support ticket 991" in shown
    assert "+25" in shown


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": "bad\x00reason"}, "reason: Value error, must not contain NUL characters"),
        ({"reason": "  "}, "reason: required"),
        ({"amount": "lots"}, "amount: Input should be a valid integer"),
        ({"amount": "0"}, "amount: Input should be greater than or equal to 1"),
        ({"holding": "currency:nope"}, "Unknown currency 'nope'."),
        ({"holding": "crate:x"}, "holding: choose a currency or an item"),
        ({"holding": "item:a\x07b"}, "holding: Value error, must not contain control characters"),
        ({"idempotencyKey": ""}, "idempotencyKey: String should have at least 1 character"),
    ],
)
def test_bad_grant_input_is_a_clear_refusal(
    signed_in: http_lib.Client, server: Served, change: dict[str, str], message: str
) -> None:
    fields = _player_form(signed_in, holding="currency:gems", amount="5", reason="ok")

    answer = signed_in.post("/players/grant", data={**fields, **change})

    assert answer.status_code in (400, 404)
    assert _error(answer) == message.replace("'", "&#39;")
    assert count(server.engine, wallet_ledger, wallet_ledger.c.economy_key == "gems") == 0


@pytest.mark.parametrize(
    "query", ["q=a%00b", "q=a%07b", "q=" + "x" * 300, "q=%FF%FE", "q=caf%C3%A9%00"]
)
def test_bad_lookups_are_refused_with_a_message(signed_in: http_lib.Client, query: str) -> None:
    answer = signed_in.get("/players?" + query)

    assert answer.status_code in (200, 400)
    if answer.status_code == 400:
        assert _error(answer).startswith("q: ")


def test_a_body_that_is_not_a_form_is_refused(signed_in: http_lib.Client) -> None:
    not_utf8 = signed_in.post(
        "/players/ban",
        content=b"id=%FF%FE&reason=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    json_body = signed_in.post("/players/ban", json={"id": "player_42"})

    assert (not_utf8.status_code, json_body.status_code) == (400, 400)
    assert "URL-encoded UTF-8" in _error(not_utf8)
    assert "Expected a form" in _error(json_body)


def test_lookup_finds_players_by_prefix_case_sensitively(signed_in: http_lib.Client) -> None:
    listed = signed_in.get("/players", params={"q": "player_"})
    exact = signed_in.get("/players", params={"q": "player_43"})
    upper = signed_in.get("/players", params={"q": "PLAYER_"})

    assert "player_42" in listed.text
    assert "player_43" in listed.text
    assert "other_1" not in listed.text
    assert exact.headers["location"] == "/players/view?id=player_43"
    assert "No player's id starts with <code>PLAYER_</code>" in upper.text


def test_an_unknown_player_is_a_404_page(signed_in: http_lib.Client) -> None:
    answer = signed_in.get("/players/view", params={"id": "nobody"})

    assert answer.status_code == 404
    assert "nobody" in _error(answer)


def _delivery(server: Served, event_id: str) -> Any:
    with server.engine.connect() as conn:
        return conn.execute(
            select(webhook_deliveries).where(webhook_deliveries.c.event_id == event_id)
        ).one()


def test_webhooks_page_lists_deliveries_and_redelivers(
    signed_in: http_lib.Client, server: Served
) -> None:
    with KratyAdmin(api_key=server.api_key, base_url=server.base_url) as kraty:
        kraty.players.ban("player_42", reason="x")
    server.dispatcher.run_once()  # the endpoint refuses: each player's first event fails
    with server.engine.connect() as conn:
        # The first delivery written: the first of its player's group, so attempted.
        first = conn.execute(
            select(webhook_deliveries.c.event_id).order_by(webhook_deliveries.c.id)
        ).first()[0]
        banned = conn.execute(
            select(webhook_outbox.c.id).where(webhook_outbox.c.event_name == "player.banned")
        ).scalar_one()
    failed = _delivery(server, first)
    page = signed_in.get("/webhooks")

    assert (failed.attempts, failed.status) == (1, "pending")
    assert failed.last_error
    for shown in ("player.banned", banned, first, failed.last_error, "127.0.0.1:9/kraty-hooks"):
        assert shown in page.text
    answer = signed_in.post(
        "/webhooks/redeliver", data={"csrf": form_value(page.text, "csrf"), "eventId": first}
    )
    assert answer.headers["location"] == "/webhooks?notice=redelivered"
    assert _delivery(server, first).attempts == 0
    assert "Redelivery queued." in signed_in.get(answer.headers["location"]).text
    unknown = signed_in.post(
        "/webhooks/redeliver", data={"csrf": form_value(page.text, "csrf"), "eventId": "nope"}
    )
    assert unknown.status_code == 404


def test_a_studio_wide_key_sees_webhooks_but_no_player_lookup(
    console: http_lib.Client,
) -> None:
    assert sign_in(console, STUDIO_WIDE_KEY).status_code == 303

    lookup = console.get("/players", params={"q": "player"})

    assert lookup.status_code == 403
    assert "studio-wide key" in _error(lookup)
    assert console.get("/webhooks").status_code == 200
    world = console.get("/world").text
    assert "game_2" in world
    assert "<code>speedrun_board</code> (asc, best, never reset)" in world


def test_sign_out_ends_the_session(signed_in: http_lib.Client) -> None:
    page = signed_in.get("/players")
    answer = signed_in.post("/sign-out", data={"csrf": form_value(page.text, "csrf")})

    assert answer.headers["location"] == "/sign-in"
    assert signed_in.get("/players").status_code == 303


def test_the_player_page_shows_the_game_clients_registration_presence_and_social_graph(
    signed_in: http_lib.Client, server: Served
) -> None:
    with start_blocking_portal() as portal, ExitStack() as stack:

        def player(external_player_id: str) -> PlayerClient:
            """A registered game client of the player (through /sdk/v1)."""
            transport = PortalTransport(server.app, portal)
            made = stack.enter_context(
                PlayerClient(
                    server.base_url, server.client_key, external_player_id, transport=transport
                )
            )
            issued[external_player_id] = made.register()["secret"]
            return made

        issued: dict[str, str] = {}
        ann, bob, cy, _dan = (player(p) for p in ("ann", "bob", "cy", "dan"))
        ann.set_identity("Ann")
        bob.set_identity("Bobby")
        ann.accept(bob.add_friend(external_player_id="ann")["request"]["requestId"])
        cy.add_friend(external_player_id="ann")
        ann.add_friend(external_player_id="dan")
        ann.block(external_player_id="player_43")
        bob.heartbeat(status="in_match")
        ann.heartbeat(status="in_lobby")
    secret = issued["ann"]

    with server.engine.connect() as conn:
        digest = conn.execute(
            select(players.c.secret_sha256).where(players.c.external_player_id == "ann")
        ).scalar_one()
    page = signed_in.get("/players/view", params={"id": "ann"})
    assert page.status_code == 200
    text = page.text
    assert secret not in text
    assert secret.split(".", 1)[1] not in text
    assert digest not in text
    client = text[text.index('id="client"') : text.index('id="ban"')]
    assert "registered</span>" in client
    assert "not registered" not in client
    assert f"<code>{secret.split('.')[0]}</code>… (prefix only)" in client
    assert "Registered at</dt><dd><time" in client
    assert "online</span>" in client
    assert "in_lobby" in client
    friends = text[text.index('id="friends"') : text.index('id="requests"')]
    assert "<code>bob</code></a> Bobby" in friends
    assert "in_match" in friends
    assert "online</span>" in friends
    requests = text[text.index('id="requests"') : text.index('id="blocks"')]
    assert 'in (from)</td><td><a href="/players/view?id=cy"><code>cy</code>' in requests
    assert 'out (to)</td><td><a href="/players/view?id=dan"><code>dan</code>' in requests
    assert "<code>player_43</code>" in text[text.index('id="blocks"') :]

    other = signed_in.get("/players/view", params={"id": "player_42"}).text
    assert "not registered</span>" in other
    assert "offline</span>" in other
    for empty in ("No friends.", "No pending requests.", "No blocks."):
        assert empty in other
