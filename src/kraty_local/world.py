"""The world: the static configuration Kraty Local serves (tenants, keys, catalog, events).

The world lives in memory; every worker loads the same file, and the database holds only state.
The TOML format is documented by the example file ``world.example.toml`` next to this module;
``load_world(path)`` reads it and ``default_world()`` builds the world used when none is given.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, cast, get_args

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

SERVER_INTEGRATION = "server_integration"
#: The permission set of the game client's keys (``/sdk/v1``, contract section 10).
CLIENT_SDK = "client_sdk"
LeaderboardMode = Literal["lobby_matched", "global"]
_LEADERBOARD_MODES: tuple[str, ...] = ("lobby_matched", "global")
SortOrder = Literal["desc", "asc"]
#: Whose entries a board ranks: one game's, or those of every game of the studio declaring it.
BoardScope = Literal["game", "studio"]
#: When a board starts a new period (UTC): never, Mondays 00:00, the 1st of a month 00:00.
ResetCadence = Literal["never", "weekly", "monthly"]
#: What a player's entry keeps: the best score, the latest one, or the sum of all.
ScoreAggregation = Literal["best", "latest", "sum"]
#: The key naming each kind of grant entry's catalog key, and its amount field.
REWARD_FIELDS = {
    "currency": ("currencyKey", "amount"),
    "item": ("itemKey", "quantity"),
    "crate": ("crateItemKey", "quantity"),
}

#: Production-like webhook retry delays in seconds (about three days in total).
DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = (
    10,
    30,
    120,
    600,
    1800,
    3600,
    10800,
    21600,
    43200,
    86400,
    86400,
)


class WorldError(ValueError):
    """The world file is malformed or inconsistent."""


@dataclass(frozen=True)
class LootEntry:
    """One weighted outcome of a crate roll: a currency amount or an item quantity."""

    type: Literal["currency", "item"]
    key: str
    amount: int
    weight: int

    def as_entry(self) -> dict[str, Any]:
        """The grant entry this outcome produces, in wire shape."""
        if self.type == "currency":
            return {"type": "currency", "currencyKey": self.key, "amount": self.amount}
        return {"type": "item", "itemKey": self.key, "quantity": self.amount}


@dataclass(frozen=True)
class Crate:
    """A crate item whose opening rolls its weighted loot table."""

    key: str
    loot: tuple[LootEntry, ...]


@dataclass(frozen=True)
class Catalog:
    """What a game can grant: currencies, items and crates, by key."""

    currencies: frozenset[str]
    items: frozenset[str]
    crates: Mapping[str, Crate]


@dataclass(frozen=True)
class EventWindow:
    """The current window of an event."""

    id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Milestone:
    """A threshold of an event attempt's metric; reaching it grants ``rewards`` once per attempt.

    ``rewards`` are grant entries in wire shape (``{"type": "currency", "currencyKey": ...}``).
    """

    key: str
    threshold: float
    rewards: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Event:
    """A live-ops event of a game, with the milestones its attempts can reach."""

    key: str
    leaderboard_mode: LeaderboardMode
    capacity: int
    fill_bots: bool
    enabled: bool
    window: EventWindow
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True)
class Leaderboard:
    """A leaderboard: ``takes_scores`` boards accept raw scores; ``desc`` ranks high first.

    ``scope``, ``reset_cadence`` and ``score_aggregation`` are what the client SDK's
    ``Leaderboard`` reports (``scope``, ``resetCadence``, ``scoreAggregation``).
    """

    key: str
    takes_scores: bool = True
    sort_order: SortOrder = "desc"
    scope: BoardScope = "game"
    reset_cadence: ResetCadence = "never"
    score_aggregation: ScoreAggregation = "best"


@dataclass(frozen=True)
class WebhookEndpoint:
    """A receiver of the game's webhooks; several secrets while one is being rotated."""

    url: str
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class Studio:
    """A tenant."""

    id: str
    name: str


@dataclass(frozen=True)
class Game:
    """A game of a studio, with its catalog, events, webhook endpoints and leaderboards."""

    id: str
    studio_id: str
    name: str
    catalog: Catalog
    events: Mapping[str, Event]
    webhooks: tuple[WebhookEndpoint, ...] = ()
    leaderboards: Mapping[str, Leaderboard] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerKey:
    """An API key known to the world; only the SHA-256 of ``<prefix>.<secret>`` is kept."""

    prefix: str
    sha256: str
    studio_id: str
    game_id: str | None
    permission_set: str = SERVER_INTEGRATION
    environment: Literal["live", "test"] = "test"

    @classmethod
    def from_plaintext(
        cls,
        key: str,
        *,
        studio_id: str,
        game_id: str | None,
        permission_set: str = SERVER_INTEGRATION,
    ) -> ServerKey:
        """Build a key from its plaintext ``<prefix>.<secret>`` form."""
        prefix = split_key(key)[0]
        return cls(prefix, hash_key(key), studio_id, game_id, permission_set)


@dataclass(frozen=True)
class RateLimit:
    """Per-key token bucket: sustained requests per second and burst size."""

    requests_per_second: float
    burst: int


@dataclass(frozen=True)
class World:
    """Everything static Kraty Local serves."""

    studios: Mapping[str, Studio]
    games: Mapping[str, Game]
    default_game_id: str
    keys: tuple[ServerKey, ...] = ()
    rate_limit: RateLimit = field(default_factory=lambda: RateLimit(200.0, 400))
    webhook_retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE

    def __post_init__(self) -> None:
        """Check that every reference points at something that exists."""
        for game in self.games.values():
            if game.studio_id not in self.studios:
                raise WorldError(f"game {game.id!r} names unknown studio {game.studio_id!r}")
            _check_catalog(game)
        _check_studio_boards(self.games.values())
        if self.default_game_id not in self.games:
            raise WorldError(f"default_game {self.default_game_id!r} is not a game")
        for key in self.keys:
            if key.studio_id not in self.studios:
                raise WorldError(f"key {key.prefix!r} names unknown studio {key.studio_id!r}")
            if key.game_id is not None:
                bound = self.games.get(key.game_id)
                if bound is None or bound.studio_id != key.studio_id:
                    raise WorldError(f"key {key.prefix!r}: game {key.game_id!r} not in its studio")
        if self.rate_limit.requests_per_second <= 0 or self.rate_limit.burst < 1:
            raise WorldError("rate_limit needs requests_per_second > 0 and burst >= 1")


def split_key(key: str) -> tuple[str, str]:
    """Split ``<prefix>.<secret>``; raise ``ValueError`` when the shape is wrong."""
    prefix, dot, secret = key.partition(".")
    if not dot or not prefix or not secret or any(c.isspace() for c in key):
        raise ValueError("an API key has the form <prefix>.<secret>")
    return prefix, secret


def hash_key(key: str) -> str:
    """Hex SHA-256 of a plaintext key, the only form in which keys are stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def _check_catalog(game: Game) -> None:
    catalog = game.catalog
    names = [*catalog.currencies, *catalog.items, *catalog.crates]
    if len(set(names)) != len(names):
        raise WorldError(f"game {game.id!r}: a catalog key is used twice")
    for crate in catalog.crates.values():
        if not crate.loot:
            raise WorldError(f"crate {crate.key!r} has an empty loot table")
        for entry in crate.loot:
            known = catalog.currencies if entry.type == "currency" else catalog.items
            if entry.key not in known:
                raise WorldError(f"crate {crate.key!r}: unknown {entry.type} {entry.key!r}")
            if entry.weight < 1 or entry.amount < 1:
                raise WorldError(f"crate {crate.key!r}: weight and amount must be >= 1")
    for event in game.events.values():
        keys = [m.key for m in event.milestones]
        if len(set(keys)) != len(keys):
            raise WorldError(f"event {event.key!r}: a milestone key is used twice")
        for milestone in event.milestones:
            for reward in milestone.rewards:
                _check_reward(catalog, f"milestone {milestone.key!r}", reward)


def _check_studio_boards(games: Iterable[Game]) -> None:
    """A studio-scoped board ranks the entries of every game of its studio declaring its key, so
    those games must declare it alike (same order, cadence and aggregation)."""
    first: dict[tuple[str, str], tuple[Game, Leaderboard]] = {}
    for game in games:
        for board in game.leaderboards.values():
            seen = first.setdefault((game.studio_id, board.key), (game, board))
            if seen[1] != board and "studio" in (board.scope, seen[1].scope):
                raise WorldError(
                    f"leaderboard {board.key!r} is studio-scoped: games {seen[0].id!r} and "
                    f"{game.id!r} of studio {game.studio_id!r} must declare it alike"
                )


def _check_reward(catalog: Catalog, where: str, reward: Mapping[str, Any]) -> None:
    kind = reward.get("type")
    if kind not in REWARD_FIELDS:
        raise WorldError(f"{where}: reward type must be one of {sorted(REWARD_FIELDS)}")
    key_field, amount_field = REWARD_FIELDS[kind]
    unknown = set(reward) - {"type", key_field, amount_field}
    if unknown:
        raise WorldError(f"{where}: unknown reward field(s) {', '.join(sorted(unknown))}")
    known = {"currency": catalog.currencies, "item": catalog.items, "crate": catalog.crates}[kind]
    if reward.get(key_field) not in known:
        raise WorldError(f"{where}: unknown {kind} {reward.get(key_field)!r}")
    amount = reward.get(amount_field)
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise WorldError(f"{where}: {amount_field} must be an integer >= 1")


def default_world() -> World:
    """The world used when no file is given: two studios, three games, one full catalog."""
    always = EventWindow(
        "w1",
        datetime(2025, 1, 1, tzinfo=timezone.utc),
        datetime(2100, 1, 1, tzinfo=timezone.utc),
    )
    crate = Crate(
        "legendary_box",
        (
            LootEntry("currency", "gold", 100, 6),
            LootEntry("currency", "gems", 25, 3),
            LootEntry("item", "sword", 1, 1),
        ),
    )
    catalog = Catalog(
        currencies=frozenset({"gold", "gems"}),
        items=frozenset({"starter_chest", "health_potion", "sword"}),
        crates={crate.key: crate},
    )
    milestones = (
        Milestone("bronze", 100, ({"type": "currency", "currencyKey": "gold", "amount": 50},)),
        Milestone(
            "silver",
            500,
            (
                {"type": "currency", "currencyKey": "gold", "amount": 200},
                {"type": "item", "itemKey": "health_potion", "quantity": 1},
            ),
        ),
        Milestone(
            "gold", 1000, ({"type": "crate", "crateItemKey": "legendary_box", "quantity": 1},)
        ),
    )
    events = {
        "quick_brawl": Event("quick_brawl", "lobby_matched", 4, True, True, always),
        "weekly_race": Event("weekly_race", "global", 100, False, True, always, milestones),
    }
    boards = {
        board.key: board
        for board in (
            Leaderboard("weekly_race_board"),
            Leaderboard("speedrun_board", sort_order="asc"),
            Leaderboard("event_points_board", takes_scores=False),
        )
    }
    games = {
        gid: Game(gid, studio, name, catalog, events, leaderboards=boards)
        for gid, studio, name in (
            ("game_1", "studio_1", "Game One"),
            ("game_2", "studio_1", "Game Two"),
            ("game_3", "studio_2", "Game Three"),
        )
    }
    studios = {"studio_1": Studio("studio_1", "Studio One"), "studio_2": Studio("studio_2", "Two")}
    return World(studios=studios, games=games, default_game_id="game_1")


def load_world(path: str | Path) -> World:
    """Read a world TOML file (format: ``world.example.toml``)."""
    with Path(path).open("rb") as fh:
        try:
            doc = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise WorldError(f"{path}: {exc}") from exc
    return parse_world(doc)


def parse_world(doc: Mapping[str, Any]) -> World:
    """Build a world from an already-parsed TOML document."""
    top = _Table(doc, "world")
    studios = {}
    for raw in top.array("studios"):
        t = _Table(raw, "studios")
        studio = Studio(t.text("id"), t.text("name", ""))
        t.done()
        studios[studio.id] = studio
    games = {}
    for raw in top.array("games"):
        game = _parse_game(_Table(raw, "games"))
        games[game.id] = game
    keys = tuple(_parse_key(_Table(raw, "keys")) for raw in top.array("keys"))
    rate = _Table(top.get("rate_limit", {}), "rate_limit")
    rate_limit = RateLimit(
        float(rate.number("requests_per_second", 200)), rate.integer("burst", 400)
    )
    rate.done()
    schedule = tuple(float(s) for s in top.get("webhook_retry_schedule", DEFAULT_RETRY_SCHEDULE))
    default_game = top.text("default_game", next(iter(games), ""))
    top.done()
    if not games:
        raise WorldError("a world needs at least one game")
    return World(studios, games, default_game, keys, rate_limit, schedule)


def _parse_game(t: _Table) -> Game:
    gid = t.text("id")
    crates = {}
    for raw in t.array("crates"):
        c = _Table(raw, f"{gid}.crates")
        key = c.text("key")
        loot = tuple(_parse_loot(_Table(e, f"crate {key}")) for e in c.array("loot"))
        c.done()
        crates[key] = Crate(key, loot)
    catalog = Catalog(frozenset(t.texts("currencies")), frozenset(t.texts("items")), crates)
    events = {}
    for raw in t.array("events"):
        event = _parse_event(_Table(raw, f"{gid}.events"))
        events[event.key] = event
    hooks = []
    for raw in t.array("webhooks"):
        h = _Table(raw, f"{gid}.webhooks")
        hooks.append(WebhookEndpoint(h.text("url"), tuple(h.texts("secrets"))))
        h.done()
    boards = {}
    for raw in t.array("leaderboards"):
        board = _parse_leaderboard(_Table(raw, f"{gid}.leaderboards"))
        boards[board.key] = board
    game = Game(gid, t.text("studio"), t.text("name", gid), catalog, events, tuple(hooks), boards)
    t.done()
    return game


def _parse_leaderboard(t: _Table) -> Leaderboard:
    key = t.text("key")
    t.where = f"leaderboard {key!r}"
    board = Leaderboard(
        key,
        t.flag("takes_scores", True),
        cast(SortOrder, t.choice("sort_order", get_args(SortOrder))),
        cast(BoardScope, t.choice("scope", get_args(BoardScope))),
        cast(ResetCadence, t.choice("reset_cadence", get_args(ResetCadence))),
        cast(ScoreAggregation, t.choice("score_aggregation", get_args(ScoreAggregation))),
    )
    t.done()
    return board


def _parse_loot(t: _Table) -> LootEntry:
    kind = t.text("type")
    weight = t.integer("weight", 1)
    if kind == "currency":
        entry = LootEntry("currency", t.text("currencyKey"), t.integer("amount"), weight)
    elif kind == "item":
        entry = LootEntry("item", t.text("itemKey"), t.integer("quantity", 1), weight)
    else:
        raise WorldError(f"{t.where}: loot type must be 'currency' or 'item', not {kind!r}")
    t.done()
    return entry


def _parse_event(t: _Table) -> Event:
    key = t.text("key")
    mode = t.text("leaderboard_mode", "global")
    if mode not in _LEADERBOARD_MODES:
        raise WorldError(f"event {key!r}: leaderboard_mode must be one of {_LEADERBOARD_MODES}")
    w = _Table(t.get("window", {}), f"event {key}.window")
    window = EventWindow(
        w.text("id", f"{key}_w1"),
        w.when("start", datetime(2025, 1, 1, tzinfo=timezone.utc)),
        w.when("end", datetime(2100, 1, 1, tzinfo=timezone.utc)),
    )
    w.done()
    event = Event(
        key,
        "lobby_matched" if mode == "lobby_matched" else "global",
        t.integer("capacity", 4),
        t.flag("fill_bots", False),
        t.flag("enabled", True),
        window,
        tuple(_parse_milestone(_Table(m, f"event {key}")) for m in t.array("milestones")),
    )
    t.done()
    return event


def _parse_milestone(t: _Table) -> Milestone:
    key = t.text("key")
    rewards = []
    for raw in t.array("rewards"):
        if not isinstance(raw, Mapping):
            raise WorldError(f"milestone {key!r}: each reward must be a table")
        rewards.append(dict(raw))
    milestone = Milestone(key, t.number("threshold"), tuple(rewards))
    t.done()
    return milestone


def _parse_key(t: _Table) -> ServerKey:
    studio, game = t.text("studio"), t.get("game")
    if game is not None and not isinstance(game, str):
        raise WorldError(f"{t.where}: 'game' must be a string")
    permission = t.text("permission_set", SERVER_INTEGRATION)
    environment = t.text("environment", "test")
    if environment not in ("test", "live"):
        raise WorldError(f"{t.where}: environment must be 'test' or 'live'")
    plaintext = t.get("key")
    try:
        if isinstance(plaintext, str):
            key = ServerKey.from_plaintext(
                plaintext, studio_id=studio, game_id=game, permission_set=permission
            )
        else:
            key = ServerKey(t.text("prefix"), t.text("sha256").lower(), studio, game, permission)
    except ValueError as exc:
        raise WorldError(f"{t.where}: {exc}") from exc
    t.done()
    return replace(key, environment="live" if environment == "live" else "test")


class _Table:
    """A TOML table read field by field; ``done()`` rejects keys nobody asked for."""

    def __init__(self, raw: Any, where: str) -> None:
        if not isinstance(raw, Mapping):
            raise WorldError(f"{where}: expected a table")
        self.raw: Mapping[str, Any] = raw
        self.where = where
        self.seen: set[str] = set()

    def get(self, name: str, default: Any = None) -> Any:
        self.seen.add(name)
        return self.raw.get(name, default)

    def _typed(self, name: str, kind: type | tuple[type, ...], default: Any) -> Any:
        value = self.get(name, default)
        if value is None:
            raise WorldError(f"{self.where}: missing {name!r}")
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise WorldError(f"{self.where}: {name!r} has the wrong type")
        return value

    def text(self, name: str, default: str | None = None) -> str:
        return str(self._typed(name, str, default))

    def choice(self, name: str, options: tuple[str, ...]) -> str:
        """A text that must be one of ``options``; the first is the default."""
        value = self.text(name, options[0])
        if value not in options:
            allowed = ", ".join(repr(o) for o in options)
            raise WorldError(f"{self.where}: {name} must be one of {allowed}, not {value!r}")
        return value

    def integer(self, name: str, default: int | None = None) -> int:
        return int(self._typed(name, int, default))

    def number(self, name: str, default: float | None = None) -> float:
        return float(self._typed(name, (int, float), default))

    def flag(self, name: str, default: bool | None = None) -> bool:
        return bool(self._typed(name, bool, default))

    def when(self, name: str, default: datetime) -> datetime:
        value = self._typed(name, (datetime, str), default)
        if isinstance(value, datetime):
            parsed = value
        else:  # Python 3.10's fromisoformat does not take a "Z" suffix
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise WorldError(f"{self.where}: {name!r} is not an ISO 8601 time") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)

    def array(self, name: str) -> list[Any]:
        value = self.get(name, [])
        if not isinstance(value, list):
            raise WorldError(f"{self.where}: {name!r} must be an array")
        return value

    def texts(self, name: str) -> list[str]:
        values = self.array(name)
        if not all(isinstance(v, str) for v in values):
            raise WorldError(f"{self.where}: {name!r} must be an array of strings")
        return values

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.seen)
        if unknown:
            raise WorldError(f"{self.where}: unknown field(s) {', '.join(unknown)}")
