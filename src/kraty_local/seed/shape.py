"""Reading a parsed JSON document into a :class:`~kraty_local.seed.model.Seed`: types, values
and the game's catalog.

Every problem is collected (not just the first), each prefixed with the entry it is in; entries
with problems are left out of the seed, so the cross-entry checks that follow
(:mod:`kraty_local.seed.references`) still see the rest, and :class:`Reading` keeps every player
id the file lists (valid entry or not) so they are not reported again as missing.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

from kraty_local.domain.text import id_problem
from kraty_local.domain.text import text_problem as stored_text_problem
from kraty_local.seed.countries import country_problem
from kraty_local.seed.model import (
    KEEP,
    SEED_VERSION,
    Block,
    FriendRequest,
    Friendship,
    Identity,
    Kept,
    Seed,
    SeedPlayer,
)
from kraty_local.world import Game, World

MAX_AMOUNT = 2**63 - 1
MAX_EXTERNAL_ID = 512
MAX_NAME = 32
MAX_AVATAR = 512
MAX_REASON = 2000
_RESERVED_PREFIXES = ("__deleted_", "__merged_")

T = TypeVar("T")


class Problems:
    """The problems found so far."""

    def __init__(self) -> None:
        """Start with none."""
        self.found: list[str] = []

    def add(self, where: str, message: str) -> None:
        """Record ``message`` about ``where``."""
        self.found.append(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class Reading:
    """What :func:`read_document` made of a document."""

    seed: Seed
    game: Game | None
    #: Every ``externalPlayerId`` of the ``players`` list, in order, valid entry or not.
    player_ids: list[str] = field(default_factory=list)


def choices(wrong: str, known: Collection[str]) -> str:
    """`` (did you mean 'x'?)``, or the known values when there are few, or nothing."""
    options = sorted(known)
    close = difflib.get_close_matches(wrong, options, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    if 0 < len(options) <= 8:
        return f" (known: {', '.join(options)})"
    return ""


class _Object:
    """A JSON object read field by field; :meth:`done` reports the fields nobody read."""

    def __init__(self, raw: Mapping[str, Any], where: str, problems: Problems) -> None:
        self.raw = raw
        self.where = where
        self.problems = problems
        self.ok = True
        self._read: set[str] = set()

    def fail(self, message: str) -> None:
        self.ok = False
        self.problems.add(self.where, message)

    def has(self, name: str) -> bool:
        self._read.add(name)
        return name in self.raw

    def text(self, name: str, *, required: bool = True) -> str | None:
        if not self.has(name):
            if required:
                self.fail(f"missing {name!r}")
            return None
        value = self.raw[name]
        problem = text_problem(value)
        if problem:
            self.fail(f"{name!r} {problem}")
            return None
        return str(value)

    def time(self, name: str) -> datetime | None:
        if not self.has(name):
            return None
        value = self.raw[name]
        parsed = parse_time(value)
        if parsed is None:
            self.fail(
                f"{name!r} must be an ISO 8601 time like '2030-01-01T12:00:00Z', not {value!r}"
            )
        return parsed

    def done(self) -> None:
        for name in self.raw:
            if name not in self._read:
                close = difflib.get_close_matches(name, sorted(self._read), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.fail(f"unknown field {name!r}{hint}")


def text_problem(value: Any) -> str | None:
    """Why ``value`` cannot be stored as text on every engine (the API's own rule), or None."""
    if not isinstance(value, str):
        return f"must be a string, not {_json_type(value)}"
    return stored_text_problem(value)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 string as an aware UTC datetime (naive means UTC); None when it is not one."""
    if not isinstance(value, str):
        return None
    try:  # Python 3.10's fromisoformat does not take a "Z" suffix
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed


def read_document(doc: Any, world: World, problems: Problems) -> Reading:
    """The seed described by ``doc``; problems go to ``problems``, bad entries are left out."""
    if not isinstance(doc, Mapping):
        problems.add("", f"a seed is a JSON object, not {_json_type(doc)}")
        return Reading(Seed(), None)
    top = _Object(doc, "", problems)
    if top.has("version") and doc["version"] != SEED_VERSION:
        top.fail(f"'version' must be {SEED_VERSION}, not {doc['version']!r}")
    game_id = top.text("game", required=False)
    game = world.games.get(game_id or world.default_game_id)
    if game_id is not None and game is None:
        top.ok = False
        problems.add("game", f"unknown game {game_id!r}{choices(game_id, world.games)}")
    reason = top.text("reason", required=False)
    if reason is not None and len(reason) > MAX_REASON:
        top.fail(f"'reason' is longer than {MAX_REASON} characters")
    player_ids: list[str] = []

    def player(raw: Any, where: str, problems: Problems) -> SeedPlayer | None:
        return _player(raw, where, problems, game, player_ids)

    seed = Seed(
        game=game_id,
        reason=reason,
        players=_entries(top, "players", player),
        friendships=_entries(top, "friendships", _friendship),
        friend_requests=_entries(top, "friendRequests", _friend_request),
        blocks=_entries(top, "blocks", _block),
    )
    top.done()
    return Reading(seed, game, player_ids)


def _entries(
    top: _Object, name: str, read: Callable[[Any, str, Problems], T | None]
) -> tuple[T, ...]:
    if not top.has(name):
        return ()
    raw = top.raw[name]
    if not isinstance(raw, list):
        top.fail(f"{name!r} must be a list, not {_json_type(raw)}")
        return ()
    read_entries = (read(entry, f"{name}[{i}]", top.problems) for i, entry in enumerate(raw))
    return tuple(entry for entry in read_entries if entry is not None)


def _object(raw: Any, where: str, problems: Problems, what: str) -> _Object | None:
    if not isinstance(raw, Mapping):
        problems.add(where, f"{what} is a JSON object, not {_json_type(raw)}")
        return None
    return _Object(raw, where, problems)


def _player(
    raw: Any, where: str, problems: Problems, game: Game | None, player_ids: list[str]
) -> SeedPlayer | None:
    entry = _object(raw, where, problems, "a player")
    if entry is None:
        return None
    external_id = entry.text("externalPlayerId")
    if external_id is not None:
        player_ids.append(external_id)
        entry.where = f"{where} {external_id!r}"
        _check_external_id(entry, external_id)
    identity = _identity(entry)
    country = _country(entry)
    currencies = None if game is None else game.catalog.currencies
    items_known = None if game is None else game.catalog.items
    wallet = _holdings(entry, "wallet", "balance", "currency", currencies)
    items = _holdings(entry, "items", "quantity", "item", items_known)
    entry.done()
    if not entry.ok or external_id is None:
        return None
    return SeedPlayer(external_id, identity, country, wallet, items)


def _check_external_id(entry: _Object, external_id: str) -> None:
    if not external_id.strip():
        entry.fail("'externalPlayerId' must not be empty")
    elif (problem := id_problem(external_id)) is not None:
        entry.fail(f"'externalPlayerId' {problem}")
    elif len(external_id) > MAX_EXTERNAL_ID:
        entry.fail(f"'externalPlayerId' is longer than {MAX_EXTERNAL_ID} characters")
    elif external_id.startswith(_RESERVED_PREFIXES):
        entry.fail("'externalPlayerId' uses a reserved prefix (__deleted_ / __merged_)")


def _identity(entry: _Object) -> Identity | Kept | None:
    if not entry.has("identity"):
        return KEEP
    raw = entry.raw["identity"]
    if raw is None:
        return None
    if isinstance(raw, str):
        entry.fail(f"'identity' is an object like {{\"name\": {raw!r}}}, not a string")
        return None
    identity = _object(raw, f"{entry.where}: identity", entry.problems, "'identity'")
    if identity is None:
        entry.ok = False
        return None
    name = identity.text("name")
    avatar = None if identity.raw.get("avatar") is None else identity.text("avatar")
    identity.has("avatar")
    if name is not None:
        name = name.strip()
        if not 1 <= len(name) <= MAX_NAME:
            identity.fail(f"'name' must be 1 to {MAX_NAME} characters after trimming")
    if avatar is not None and len(avatar) > MAX_AVATAR:
        identity.fail(f"'avatar' is longer than {MAX_AVATAR} characters")
    identity.done()
    if not identity.ok or name is None:
        entry.ok = False
        return None
    return Identity(name, avatar)


def _country(entry: _Object) -> str | Kept | None:
    if not entry.has("country"):
        return KEEP
    raw = entry.raw["country"]
    if raw is None:
        return None
    problem = text_problem(raw) or country_problem(raw)
    if problem:
        entry.fail(problem)
        return None
    return str(raw)


def _holdings(
    entry: _Object, name: str, noun: str, kind: str, known: Collection[str] | None
) -> dict[str, int]:
    if not entry.has(name):
        return {}
    raw = entry.raw[name]
    if not isinstance(raw, Mapping):
        entry.fail(f'{name!r} maps keys to amounts, like {{"gold": 100}}, not {_json_type(raw)}')
        return {}
    holdings: dict[str, int] = {}
    for key, amount in raw.items():
        if known is not None and key not in known:
            entry.fail(f"{name}: unknown {kind} {key!r}{choices(key, known)}")
        elif not isinstance(amount, int) or isinstance(amount, bool):
            entry.fail(f"{name}.{key}: the {noun} must be a whole number, not {amount!r}")
        elif amount < 0:
            entry.fail(f"{name}.{key}: the {noun} must not be negative ({amount})")
        elif amount > MAX_AMOUNT:
            entry.fail(f"{name}.{key}: the {noun} is above the maximum of {MAX_AMOUNT}")
        else:
            holdings[key] = amount
    return holdings


def _friendship(raw: Any, where: str, problems: Problems) -> Friendship | None:
    if isinstance(raw, list):
        pair: Any = raw
        since = None
    else:
        entry = _object(raw, where, problems, 'a friendship is ["a", "b"] or')
        if entry is None:
            return None
        pair = entry.raw.get("players") if entry.has("players") else None
        since = entry.time("since")
        entry.done()
        if pair is None:
            entry.fail("missing 'players' (the two friends)")
        if not entry.ok:
            return None
    if not (
        isinstance(pair, list) and len(pair) == 2 and all(text_problem(p) is None for p in pair)
    ):
        problems.add(
            where, f'a friendship names two player ids, like ["alice", "bob"], not {pair!r}'
        )
        return None
    return Friendship(pair[0], pair[1], since)


def _friend_request(raw: Any, where: str, problems: Problems) -> FriendRequest | None:
    entry = _object(raw, where, problems, 'a friend request like {"from": "a", "to": "b"}')
    if entry is None:
        return None
    sender, recipient = entry.text("from"), entry.text("to")
    entry.where = f"{where} {sender!r} -> {recipient!r}"
    created_at = entry.time("createdAt")
    entry.done()
    if not entry.ok or sender is None or recipient is None:
        return None
    return FriendRequest(sender, recipient, created_at)


def _block(raw: Any, where: str, problems: Problems) -> Block | None:
    entry = _object(raw, where, problems, 'a block like {"player": "a", "blocked": "b"}')
    if entry is None:
        return None
    player, blocked = entry.text("player"), entry.text("blocked")
    entry.where = f"{where} {player!r} blocks {blocked!r}"
    blocked_at = entry.time("blockedAt")
    entry.done()
    if not entry.ok or player is None or blocked is None:
        return None
    return Block(player, blocked, blocked_at)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    return "an object"
