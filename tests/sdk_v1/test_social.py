"""Identity, presence, friends and blocks written by the game and read by the backend."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from kraty_admin import KratyServerError
from kraty_local.clock import FakeClock
from kraty_local.services.social import friend_code_of, id_prefixes_of_code, players_with_code
from kraty_local.shared_server import Served
from tests._http import http_lib

from .conftest import PlayerFactory


def _code(caught: pytest.ExceptionInfo[KratyServerError]) -> tuple[int, str]:
    return caught.value.status, caught.value.code


def test_identity_and_presence_are_what_the_server_reads(
    client: http_lib.Client, player_of: PlayerFactory, clock: FakeClock
) -> None:
    ann, bob = player_of("ann"), player_of("bob")
    assert ann.identity()["displayIdentity"] is None
    renamed = ann.set_identity("  Ann the Bold  ", avatar="https://example.test/a.png")
    assert renamed["displayIdentity"]["name"] == "Ann the Bold"
    assert set(renamed) == {"externalPlayerId", "displayIdentity", "anonymizedIdentity"}
    assert ann.identity()["displayIdentity"] == renamed["displayIdentity"]
    for bad in ("   ", "x" * 33):
        with pytest.raises(KratyServerError) as refused:
            ann.set_identity(bad)
        assert refused.value.is_validation_failed

    request = bob.add_friend(external_player_id="ann")["request"]
    ann.accept(request["requestId"])
    beat = ann.heartbeat(status="in_match")
    assert beat == {"online": True, "lastActiveAt": beat["lastActiveAt"], "status": "in_match"}
    assert ann.heartbeat()["status"] == "in_match"  # omitted: kept
    friends = client.get("/players/bob/friends").json()["data"]["friends"]
    assert [(f["externalPlayerId"], f["online"], f["status"]) for f in friends] == [
        ("ann", True, "in_match")
    ]
    assert friends[0]["displayIdentity"]["name"] == "Ann the Bold"
    clock.advance(timedelta(seconds=61))
    assert bob.friends()[0]["online"] is False
    assert ann.heartbeat(status=None)["status"] is None  # null: cleared


@pytest.mark.parametrize(
    ("first", "second"), [({}, {"status": None}), ({"status": None}, {}), ({}, {"status": "x"})]
)
def test_keeping_and_clearing_the_status_are_different_requests(
    player_of: PlayerFactory,
    raw: http_lib.Client,
    server: Served,
    first: dict[str, str | None],
    second: dict[str, str | None],
) -> None:
    ann = player_of("ann")
    headers = {"Authorization": f"Bearer {server.client_key}", "X-Player-Secret": ann._secret}

    def beat(body: dict[str, str | None]) -> http_lib.Response:
        key = {"idempotencyKey": "beat-1"}
        return raw.post("/sdk/v1/players/ann/presence", json=body | key, headers=headers)

    assert beat(first).status_code == 200
    replayed = beat(first)
    assert (replayed.status_code, replayed.headers["Idempotent-Replayed"]) == (200, "true")
    reused = beat(second)
    assert reused.status_code == 409
    error = reused.json()["error"]
    assert (error["code"], error["details"]["differingFields"]) == (
        "idempotency_conflict",
        ["status"],
    )


def test_friend_requests_by_code_and_id_from_both_sides(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    ann, bob, cy = player_of("ann"), player_of("bob"), player_of("cy")
    code = ann.friend_code()
    assert len(code) == 6
    assert code == ann.friend_code()  # stable
    sent = bob.add_friend(friend_code=code.lower())
    assert sent["status"] == "pending"
    assert sent["request"]["direction"] == "outgoing"
    assert sent["request"]["player"]["externalPlayerId"] == "ann"
    incoming = client.get("/players/ann/friends/requests").json()["data"]["incoming"]
    assert [r["requestId"] for r in incoming] == [sent["request"]["requestId"]]

    with pytest.raises(KratyServerError) as own:
        bob.accept(sent["request"]["requestId"])
    assert _code(own) == (403, "forbidden")
    friend = ann.accept(sent["request"]["requestId"])
    assert friend["externalPlayerId"] == "bob"
    with pytest.raises(KratyServerError) as settled:
        ann.decline(sent["request"]["requestId"])
    assert _code(settled) == (409, "conflict")
    with pytest.raises(KratyServerError) as again:
        bob.add_friend(external_player_id="ann")
    assert _code(again) == (409, "already_friends")

    # crossing requests: the second is accepted at once
    cy.add_friend(external_player_id="ann")
    crossed = ann.add_friend(external_player_id="cy")
    assert crossed["status"] == "accepted"
    assert crossed["friend"]["externalPlayerId"] == "cy"
    server_view = client.get("/players/ann/friends").json()["data"]["friends"]
    assert sorted(f["externalPlayerId"] for f in server_view) == ["bob", "cy"]
    assert ann.remove_friend("cy") is True
    assert ann.remove_friend("cy") is False
    assert [f["externalPlayerId"] for f in cy.friends()] == []

    for target, expected in (
        ({"external_player_id": "ann"}, (400, "cannot_friend_self")),
        ({"friend_code": "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"}, (404, "friend_code_invalid")),
        ({"external_player_id": "nobody"}, (404, "not_found")),
    ):
        with pytest.raises(KratyServerError) as refused:
            ann.add_friend(**target)
        assert _code(refused) == expected


def test_decline_cancel_and_unknown_requests(player_of: PlayerFactory) -> None:
    ann, bob = player_of("ann"), player_of("bob")
    first = bob.add_friend(external_player_id="ann")["request"]["requestId"]
    assert ann.decline(first) is True
    reopened = bob.add_friend(external_player_id="ann")["request"]["requestId"]
    assert reopened == first  # one row per direction, reopened
    with pytest.raises(KratyServerError) as not_yours:
        ann.cancel_request(first)
    assert _code(not_yours) == (403, "forbidden")
    assert bob.cancel_request(first) is True
    assert bob.friend_requests() == {"incoming": [], "outgoing": []}
    with pytest.raises(KratyServerError) as unknown:
        ann.accept(first)
    assert _code(unknown) == (404, "not_found")


def test_blocks_end_friendships_and_refuse_requests(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    ann, bob, cy = player_of("ann"), player_of("bob"), player_of("cy")
    ann.accept(bob.add_friend(external_player_id="ann")["request"]["requestId"])
    cy.add_friend(external_player_id="ann")
    assert ann.block(external_player_id="bob")["externalPlayerId"] == "bob"
    ann.block(friend_code=cy.friend_code())
    assert ann.friends() == []
    assert ann.friend_requests() == {"incoming": [], "outgoing": []}
    blocked = client.get("/players/ann/blocks").json()["data"]["blocked"]
    assert [b["externalPlayerId"] for b in blocked] == ["bob", "cy"]
    assert [b["externalPlayerId"] for b in ann.blocks()] == ["bob", "cy"]
    with pytest.raises(KratyServerError) as refused:
        bob.add_friend(external_player_id="ann")
    assert _code(refused) == (403, "player_blocked")
    assert ann.unblock("bob") is True
    assert ann.unblock("bob") is False
    assert bob.add_friend(external_player_id="ann")["status"] == "pending"


def test_search_by_prefix_with_relationships(player_of: PlayerFactory) -> None:
    ann, bob = player_of("ann"), player_of("Annika")
    player_of("anders").set_identity("Zed")
    player_of("zoe").set_identity("Anna Z")
    blocked = player_of("annoying")
    ann.block(external_player_id="annoying")
    bob.add_friend(external_player_id="ann")
    found = {r["externalPlayerId"]: r["relationship"] for r in ann.search("AN")}
    assert found == {"Annika": "request_incoming", "anders": "none", "zoe": "none"}
    assert len(ann.search("an", limit=1)) == 1
    seen_by_blocked = {r["externalPlayerId"] for r in blocked.search("ann")}
    assert seen_by_blocked == {"Annika", "zoe"}  # ann blocks them: invisible both ways
    assert ann.search("%") == []  # a wildcard is a character, not a pattern


def test_banned_players_cannot_write_socially(
    client: http_lib.Client, player_of: PlayerFactory
) -> None:
    ann, _bob = player_of("ann"), player_of("bob")
    client.post("/players/ann/ban", json={"reason": "spam", "idempotencyKey": "b"})
    for write in (
        lambda: ann.heartbeat(),
        lambda: ann.set_identity("Spammer"),
        lambda: ann.add_friend(external_player_id="bob"),
        lambda: ann.block(external_player_id="bob"),
        lambda: ann.unblock("bob"),
        lambda: ann.remove_friend("bob"),
    ):
        with pytest.raises(KratyServerError) as banned:
            write()
        assert _code(banned) == (403, "player_banned")
    assert ann.friends() == []  # reads still answer


def test_a_friend_code_names_one_range_of_id_prefixes() -> None:
    rng = random.Random(14)
    for _ in range(2000):
        player_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        code = friend_code_of(player_id)
        prefixes = id_prefixes_of_code(code)
        assert prefixes is not None
        low, high = prefixes
        assert friend_code_of(low) == code
        assert low <= player_id
        assert high is None or player_id < high
        if high is not None:  # the next prefix already has the next code
            assert friend_code_of(high) != code
        if low != "00000000":
            assert friend_code_of(f"{int(low, 16) - 1:08x}") != code
    assert id_prefixes_of_code("999999") == ("fffffffc", None)
    assert id_prefixes_of_code("AAAAA0") is None  # 0 is not in the alphabet
    assert id_prefixes_of_code("AAAAA") is None


def test_friend_codes_find_their_players_among_many(player_of: PlayerFactory) -> None:
    players = [player_of(f"p{n}") for n in range(12)]
    asker = players[0]
    for other in players[1:]:
        sent = asker.add_friend(friend_code=other.friend_code())
        assert sent["request"]["player"]["externalPlayerId"] == other.external_player_id


def test_finding_a_friend_code_searches_the_primary_key(engine: Engine) -> None:
    query = players_with_code("K7PQ2M")
    assert query is not None
    with engine.connect() as conn:
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        if conn.dialect.name == "sqlite":
            plan = " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert "(id>? AND id<?)" in plan, plan
        else:  # the planner follows the statistics: ask whether the index can serve at all
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}"))
            assert "Index Cond: (((id)" in plan, plan
