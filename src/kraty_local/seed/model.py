"""The seed: the state of one game's players, described as plain values.

A :class:`Seed` is what a seed file parses into (:mod:`kraty_local.seed.reader`) and what an
export produces (:mod:`kraty_local.services.seed_export`); :meth:`Seed.to_document` writes it back
as the JSON document the format documents (``docs/seeding.md``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from kraty_local.timefmt import iso

#: The format version a seed file may declare (``"version": 1``); exports always declare it.
SEED_VERSION = 1
#: The ``reason`` of the ledger rows a seed writes when the file gives none.
DEFAULT_REASON = "seed"


class Keep(enum.Enum):
    """Marks a player field the seed leaves as it is (the field was omitted)."""

    KEEP = "keep"


KEEP = Keep.KEEP
Kept = Literal[Keep.KEEP]


@dataclass(frozen=True)
class Identity:
    """A player's display name and optional avatar (stored as the synthetic identity)."""

    name: str
    avatar: str | None = None

    def to_document(self) -> dict[str, Any]:
        """``{"name": ..., "avatar"?: ...}``."""
        return (
            {"name": self.name}
            if self.avatar is None
            else {"name": self.name, "avatar": self.avatar}
        )


@dataclass(frozen=True)
class SeedPlayer:
    """One player: ``KEEP`` leaves identity or country as they are, ``None`` clears them."""

    external_player_id: str
    identity: Identity | Kept | None = KEEP
    country: str | Kept | None = KEEP
    wallet: Mapping[str, int] = field(default_factory=dict)
    items: Mapping[str, int] = field(default_factory=dict)

    def to_document(self) -> dict[str, Any]:
        """The player entry; kept fields and empty holdings are left out."""
        doc: dict[str, Any] = {"externalPlayerId": self.external_player_id}
        if self.identity is not KEEP:
            doc["identity"] = None if self.identity is None else self.identity.to_document()
        if self.country is not KEEP:
            doc["country"] = self.country
        if self.wallet:
            doc["wallet"] = dict(sorted(self.wallet.items()))
        if self.items:
            doc["items"] = dict(sorted(self.items.items()))
        return doc


@dataclass(frozen=True)
class Friendship:
    """Two players who are friends, since ``since`` (default: when the seed is applied)."""

    first: str
    second: str
    since: datetime | None = None

    @property
    def pair(self) -> frozenset[str]:
        """The two players, unordered."""
        return frozenset((self.first, self.second))

    def to_document(self) -> Any:
        """``["a", "b"]``, or ``{"players": ["a", "b"], "since": ...}`` when a time is set."""
        if self.since is None:
            return [self.first, self.second]
        return {"players": [self.first, self.second], "since": iso(self.since)}


@dataclass(frozen=True)
class FriendRequest:
    """A pending friend request from ``sender`` to ``recipient``."""

    sender: str
    recipient: str
    created_at: datetime | None = None

    def to_document(self) -> dict[str, Any]:
        """``{"from": ..., "to": ..., "createdAt"?: ...}``."""
        doc: dict[str, Any] = {"from": self.sender, "to": self.recipient}
        if self.created_at is not None:
            doc["createdAt"] = iso(self.created_at)
        return doc


@dataclass(frozen=True)
class Block:
    """``player`` has blocked ``blocked``."""

    player: str
    blocked: str
    blocked_at: datetime | None = None

    def to_document(self) -> dict[str, Any]:
        """``{"player": ..., "blocked": ..., "blockedAt"?: ...}``."""
        doc: dict[str, Any] = {"player": self.player, "blocked": self.blocked}
        if self.blocked_at is not None:
            doc["blockedAt"] = iso(self.blocked_at)
        return doc


@dataclass(frozen=True)
class Seed:
    """Players and their social links in one game (``game`` None: the world's default game)."""

    game: str | None = None
    reason: str | None = None
    players: tuple[SeedPlayer, ...] = ()
    friendships: tuple[Friendship, ...] = ()
    friend_requests: tuple[FriendRequest, ...] = ()
    blocks: tuple[Block, ...] = ()

    def to_document(self) -> dict[str, Any]:
        """The JSON document of this seed (empty sections and an unset reason left out)."""
        doc: dict[str, Any] = {"version": SEED_VERSION}
        if self.game is not None:
            doc["game"] = self.game
        if self.reason is not None:
            doc["reason"] = self.reason
        doc["players"] = [p.to_document() for p in self.players]
        for name, entries in (
            ("friendships", self.friendships),
            ("friendRequests", self.friend_requests),
            ("blocks", self.blocks),
        ):
            if entries:
                doc[name] = [e.to_document() for e in entries]
        return doc

    def normalized(self) -> Seed:
        """The same state in a canonical order: what an export of it would list.

        Players by id, friendships by their sorted pair, requests and blocks by their two ids.
        """
        friendships = (replace(f, first=min(f.pair), second=max(f.pair)) for f in self.friendships)
        return replace(
            self,
            players=tuple(sorted(self.players, key=lambda p: p.external_player_id)),
            friendships=tuple(sorted(friendships, key=lambda f: (f.first, f.second))),
            friend_requests=tuple(
                sorted(self.friend_requests, key=lambda r: (r.sender, r.recipient))
            ),
            blocks=tuple(sorted(self.blocks, key=lambda b: (b.player, b.blocked))),
        )

    def without_times(self) -> Seed:
        """The same seed with every social timestamp cleared (to compare states)."""
        return replace(
            self,
            friendships=tuple(replace(f, since=None) for f in self.friendships),
            friend_requests=tuple(replace(r, created_at=None) for r in self.friend_requests),
            blocks=tuple(replace(b, blocked_at=None) for b in self.blocks),
        )
