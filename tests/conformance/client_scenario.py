"""One pass over every `/sdk/v1` client call against a running Kraty Local, keeping every
request and answer as they went over the wire.

Two drivers make the calls of ``client_reference.CLIENT_SAMPLES`` in the same order, on a
server of their own:

- :class:`TsDriver` sends each sample's request exactly as the TypeScript client builds it
  (its path and query, its body with a fresh key where the client stamps one, its headers);
- :class:`OursDriver` makes the sample's ``PlayerClient`` call, through a transport that
  records what went out and what came back and forwards everything to the real server.

The scenario fills every list it reads (pending grants, holdings, events, fired milestones,
board entries, friends, requests, search results, blocks) so their elements get validated too,
then makes the calls the client documents as refused (``CLIENT_REFUSALS``). A refused call is
kept like any other answer; the tests say what was expected.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

from kraty_admin import KratyServerError
from kraty_local.api.deps import REPLAYED_HEADER
from kraty_local.server import LocalServer
from kraty_local.testing import PlayerClient
from kraty_local.timefmt import iso
from tests._http import http_lib

from .client_reference import (
    CLIENT_REFUSALS,
    CLIENT_SAMPLES,
    SECRET_HEADER,
    ClientRefusal,
    ClientSample,
)
from .reference import GENERATED

#: What client.ts sends as ``x-kraty-sdk`` (its stale constant, as released).
TS_SDK_HEADER = "@kraty/sdk/0.19.0"
SAMPLES = {sample.id: sample for sample in CLIENT_SAMPLES}


@dataclass(frozen=True)
class Exchange:
    """One request as it went on the wire, and its answer."""

    sample: str
    method: str
    path: str  # raw path and query string
    headers: Mapping[str, str]  # lower-cased names
    body: Any
    status: int
    answer: Any
    replayed: bool  # the answer came from the idempotency store

    @property
    def data(self) -> Any:
        """The answer's ``data`` (``None`` when it has none)."""
        return self.answer.get("data") if isinstance(self.answer, dict) else None


@dataclass
class ClientRun:
    """Every exchange of one scenario run, by sample id, and the values it filled in."""

    client_key: str
    exchanges: dict[str, list[Exchange]] = field(default_factory=dict)
    values: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    refusals: dict[str, Exchange] = field(default_factory=dict)
    #: ``TsDriver`` only: each keyed write sent again at once, as client.ts retries it.
    retries: dict[str, list[tuple[Exchange, Exchange]]] = field(default_factory=dict)

    def secret_held(self, player: str, sample_id: str) -> str | None:
        """The secret the player's client holds when it makes the sample call: what its last
        register before then (forced or not) answered."""
        registers = ["players.register"]
        if sample_id != "players.register/force":  # the forced register comes after the others
            registers.append("players.register/force")
        answers = [
            (exchange, values["player"])
            for sample in registers
            for exchange, values in zip(
                self.exchanges.get(sample, []), self.values.get(sample, []), strict=True
            )
        ]
        secrets = [e.data["secret"] for e, p in answers if p == player and e.status == 201]
        return secrets[-1] if secrets else None


class Driver(Protocol):
    """Makes one sample call as some client would, and returns the exchange."""

    def send(self, sample: ClientSample, values: Mapping[str, str]) -> Exchange: ...

    def close(self) -> None: ...


def fill(value: Any, values: Mapping[str, str]) -> Any:
    """``value`` with each ``{name}`` in its strings replaced (``GENERATED`` left alone)."""
    if isinstance(value, str) and "{" in value and value != GENERATED:
        return value.format_map(values)
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(fill(v, values) for v in value)
    return value


def component(value: str) -> str:
    """``value`` as encodeURIComponent writes it into a path segment."""
    return quote(value, safe="!~*'()")


def _exchange(sample: str, request: Any, response: Any) -> Exchange:
    content = request.content
    try:
        answer = response.json()
    except json.JSONDecodeError:
        answer = None
    return Exchange(
        sample,
        request.method,
        request.url.raw_path.decode("ascii"),
        {name.lower(): value for name, value in request.headers.items()},
        json.loads(content) if content else None,
        response.status_code,
        answer,
        response.headers.get(REPLAYED_HEADER) == "true",
    )


class TsDriver:
    """Sends each sample's request exactly as the TypeScript client would.

    client.ts retries a request it got no usable answer to (a network error, 408, 425, 429 or
    5xx) as it was, key and all; so each keyed write that succeeded is sent once more at once,
    as if its answer had been lost, and both are kept in ``retries``. Not a forced register:
    section 10 lets a retried one mint another secret.
    """

    def __init__(self, base_url: str, client_key: str, run: ClientRun) -> None:
        self._http = http_lib.Client(base_url=base_url, timeout=30)
        self._client_key = client_key
        self._secrets: dict[str, str] = {}
        self._run = run

    def send(self, sample: ClientSample, values: Mapping[str, str]) -> Exchange:
        player = values["player"]
        path = sample.path.format_map({k: component(v) for k, v in values.items()})
        headers = {
            "authorization": f"Bearer {self._client_key}",
            "accept": "application/json",
            "x-kraty-sdk": TS_SDK_HEADER,
        }
        if player in self._secrets:
            headers[SECRET_HEADER] = self._secrets[player]
        body = fill(sample.body, values)
        if body is not None:
            body = {k: str(uuid.uuid4()) if v == GENERATED else v for k, v in body.items()}
        response = self._http.request(sample.spec.method, path, headers=headers, json=body)
        made = _exchange(sample.id, response.request, response)
        if sample.endpoint == "players.register" and response.is_success:
            self._secrets[player] = made.data["secret"]
        if body is not None and response.is_success and sample.id != "players.register/force":
            again = self._http.request(sample.spec.method, path, headers=headers, json=body)
            retried = _exchange(sample.id, again.request, again)
            self._run.retries.setdefault(sample.id, []).append((made, retried))
        return made

    def close(self) -> None:
        self._http.close()


class _Recording(http_lib.BaseTransport):  # type: ignore[misc]
    """Forwards every request to the server and keeps it with its answer."""

    def __init__(self) -> None:
        self._inner = http_lib.HTTPTransport()
        self.seen: list[tuple[Any, Any]] = []

    def handle_request(self, request: Any) -> Any:
        response = self._inner.handle_request(request)
        response.read()
        self.seen.append((request, response))
        return response

    def close(self) -> None:
        self._inner.close()


class OursDriver:
    """Makes each sample's ``PlayerClient`` call, one client per player."""

    def __init__(self, base_url: str, client_key: str, run: ClientRun) -> None:
        del run  # PlayerClient retries nothing
        self._base_url = base_url
        self._client_key = client_key
        self._players: dict[str, tuple[PlayerClient, _Recording]] = {}

    def send(self, sample: ClientSample, values: Mapping[str, str]) -> Exchange:
        player, recording = self._player(values["player"])
        method = getattr(player, sample.ours.name)
        before = len(recording.seen)
        with contextlib.suppress(KratyServerError):  # a refusal is an answer the tests judge
            method(*fill(sample.ours.args, values), **fill(sample.ours.kwargs, values))
        (request, response), *more = recording.seen[before:]
        assert not more, f"{sample.id}: PlayerClient sent {1 + len(more)} requests"
        return _exchange(sample.id, request, response)

    def _player(self, player_id: str) -> tuple[PlayerClient, _Recording]:
        if player_id not in self._players:
            recording = _Recording()
            client = PlayerClient(self._base_url, self._client_key, player_id, transport=recording)
            self._players[player_id] = (client, recording)
        return self._players[player_id]

    def close(self) -> None:
        for client, _ in self._players.values():
            client.close()


DRIVERS = {"ts-request": TsDriver, "player-client": OursDriver}


class _Scenario:
    def __init__(self, driver: Driver, run: ClientRun, now: str) -> None:
        self.driver, self.run, self.now = driver, run, now

    def call(self, sample_id: str, player: str, **values: str) -> Any:
        """Make one sample call as ``player``; its answer's ``data``."""
        filled = {"player": player, "now": self.now, **values}
        made = self.driver.send(SAMPLES[sample_id], filled)
        self.run.exchanges.setdefault(sample_id, []).append(made)
        self.run.values.setdefault(sample_id, []).append(filled)
        return made.data

    def refuse(self, refusal: ClientRefusal) -> None:
        """Make a call the client documents as refused, and keep its answer apart."""
        filled = {"player": refusal.player, "now": self.now, **refusal.values}
        self.run.refusals[refusal.label] = self.driver.send(SAMPLES[refusal.sample], filled)


def _server_setup(server: LocalServer) -> str:
    """What the backend does first: a grant for ann (gold, swords and a crate) and two scores
    on a board; the grant's id."""
    entries = [
        {"type": "currency", "currencyKey": "gold", "amount": 500},
        {"type": "item", "itemKey": "sword", "quantity": 3},
        {"type": "crate", "crateItemKey": "legendary_box", "quantity": 1},
    ]
    headers = {"Authorization": f"Bearer {server.api_key}"}
    with http_lib.Client(base_url=server.base_url + "/server/v1", headers=headers) as http:
        grant = http.post("/players/ann/grants", json={"idempotencyKey": "g1", "entries": entries})
        for player, seconds in (("ann", 30.5), ("bob", 42)):
            body = {"externalPlayerId": player, "value": seconds, "idempotencyKey": player}
            http.post("/leaderboards/speedrun_board/score", json=body).raise_for_status()
    return str(grant.raise_for_status().json()["data"]["id"])


def run(server: LocalServer, driver_name: str) -> ClientRun:
    """Every sample call, in an order that gives each one something to act on."""
    grant_id = _server_setup(server)
    result = ClientRun(server.client_key)
    driver: Driver = DRIVERS[driver_name](server.base_url, server.client_key, result)
    try:
        _play(_Scenario(driver, result, iso(server.clock.now())), grant_id)
    finally:
        driver.close()
    return result


#: An id as client.ts's self-serve sign-up makes one: ``kp_`` and a UUID4's 32 hex digits.
SELF_SERVE_ID = "kp_" + uuid.UUID(int=0x0123456789ABCDEF0123456789ABCDEF, version=4).hex


def _play(s: _Scenario, grant_id: str) -> None:
    for player in ("ann", "bob", "cy", "dee", SELF_SERVE_ID):
        s.call("players.register", player)
    s.call("players.register/force", "dee")
    s.call("grants.listPending", SELF_SERVE_ID)  # what a fresh client's first call reads
    _inbox_and_holdings(s, grant_id)
    _events_and_boards(s)
    _identity_and_presence(s)
    _friends(s)
    for refusal in CLIENT_REFUSALS:
        s.refuse(refusal)


def _inbox_and_holdings(s: _Scenario, grant_id: str) -> None:
    s.call("grants.listPending", "ann")
    s.call("grants.listPending/limit", "ann")
    s.call("grants.claim", "ann", grantId=grant_id)
    crate = next(g for g in s.call("grants.listPending", "ann") if g["kind"] == "crate")
    s.call("grants.open", "ann", crateId=crate["id"])
    for sample in ("wallet.list", "inventory.list", "wallet.debit", "wallet.debit/reason-and-key"):
        s.call(sample, "ann")
    s.call("inventory.consume", "ann")
    s.call("inventory.consume/reason-and-key", "ann")


def _events_and_boards(s: _Scenario) -> None:
    s.call("events.listForPlayer", "ann")
    attempt = s.call("events.start", "ann")["attempt"]
    other = s.call("events.start/player-context", "ann")["attempt"]
    s.call("events.progress", "ann", attemptId=attempt["id"])
    s.call("events.progress/everything", "ann", otherAttemptId=other["id"])
    s.call("events.listForPlayer", "ann")  # with the player's current attempt in it
    s.call("events.finish", "ann", attemptId=attempt["id"])
    period = s.call("leaderboards.read", "ann")["period"]
    s.call("leaderboards.read/everything", "ann")
    s.call("leaderboards.read/period", "ann", period=period)  # the current one's start
    s.call("leaderboards.read/segment", "ann")
    for sample in ("eventLeaderboards.read", "eventLeaderboards.read/everything"):
        s.call(sample, "ann", boardId=attempt["leaderboardId"])


def _identity_and_presence(s: _Scenario) -> None:
    s.call("players.setIdentity", "ann")
    s.call("players.setIdentity/avatar-null", "ann")
    s.call("players.setIdentity/name-only", "bob")
    for sample in ("players.getIdentity", "players.getAnonymizedIdentity", "friends.heartbeat"):
        s.call(sample, "ann")
    s.call("friends.heartbeat/status", "bob")
    s.call("friends.heartbeat/clear", "cy")


def _friends(s: _Scenario) -> None:
    dee_code = s.call("friends.getCode", "dee")["friendCode"]
    s.call("friends.getCode/progression", "ann")
    s.call("friends.add/by-id", "bob", other="ann")
    s.call("friends.add/by-id", "cy", other="ann")
    s.call("friends.add/by-code", "ann", friendCode=dee_code)
    requests = s.call("friends.listRequests", "ann")
    s.call("friends.listRequests/progression", "ann")
    s.call("friends.search", "ann")
    s.call("friends.search/name-and-limit", "ann")
    incoming = {r["player"]["externalPlayerId"]: r["requestId"] for r in requests["incoming"]}
    s.call("friends.accept", "ann", requestId=incoming["bob"])
    s.call("friends.decline", "ann", requestId=incoming["cy"])
    s.call("friends.cancelRequest", "ann", requestId=requests["outgoing"][0]["requestId"])
    # dee asks ann, then ann asks dee: accepted at once, the answer holds the friend.
    s.call("friends.add/by-id", "dee", other="ann")
    s.call("friends.add/by-id", "ann", other="dee")
    s.call("friends.list", "ann")
    s.call("friends.list/progression", "ann")
    s.call("friends.remove", "ann", other="bob")
    s.call("friends.block/by-id", "ann", other="cy")
    bob_code = s.call("friends.getCode", "bob")["friendCode"]
    s.call("friends.block/by-code", "ann", friendCode=bob_code)
    s.call("friends.listBlocks", "ann")
    s.call("friends.unblock", "ann", other="cy")
