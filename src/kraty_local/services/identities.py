"""The identities a player shows others (contract section 9, ``PlayerIdentity``).

- ``syntheticIdentity``: what ``set_identity`` stored, a name and the avatar when there is one
  (no avatar, no key).
- ``displayIdentity``: the name and avatar ``set_identity`` stored, with the player's country
  where known; ``None`` while no name was ever set.
- ``anonymizedIdentity``: a stable, privacy-preserving stand-in for anyone who may not see the
  display name. It is derived from the internal player id alone (never from the external id or
  anything the studio sent), so it reveals nothing, survives identity changes and is the same
  on every call: an adjective and an animal picked by hash from a small word list, a number,
  and the country.
- presence: ``online`` only with a heartbeat (``last_active_at``) in the last
  :data:`ONLINE_WINDOW` of the operation's clock.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from kraty_local.wire_players import PlayerIdentity, SyntheticIdentity

#: How recent a heartbeat must be for a player to count as online.
ONLINE_WINDOW = timedelta(seconds=60)

_ADJECTIVES = (
    "Amber", "Brave", "Calm", "Clever", "Swift", "Gentle", "Jolly", "Lucky",
    "Mighty", "Nimble", "Quiet", "Rapid", "Silver", "Sunny", "Witty", "Bold",
)  # fmt: skip
_ANIMALS = (
    "Otter", "Falcon", "Badger", "Lynx", "Panda", "Heron", "Fox", "Koala",
    "Marten", "Puffin", "Tiger", "Walrus", "Gecko", "Bison", "Raven", "Whale",
)  # fmt: skip


def synthetic_identity(name: str, avatar: str | None) -> SyntheticIdentity:
    """The identity ``set_identity`` stores, as the wire shows it."""
    return {"name": name} if avatar is None else {"name": name, "avatar": avatar}


def display_identity(
    name: str | None, avatar: str | None, country: str | None
) -> PlayerIdentity | None:
    """What others see of a player: the identity set for them, or ``None`` if none was set."""
    if name is None:
        return None
    return {"name": name, "avatar": avatar, "country": country}


def anonymized_identity(player_id: str, country: str | None) -> PlayerIdentity:
    """The deterministic stand-in identity of the player with internal id ``player_id``."""
    digest = hashlib.sha256(f"kraty-anonymized-identity:{player_id}".encode()).digest()
    adjective = _ADJECTIVES[digest[0] % len(_ADJECTIVES)]
    animal = _ANIMALS[digest[1] % len(_ANIMALS)]
    number = int.from_bytes(digest[2:4], "big") % 10_000
    return {"name": f"{adjective} {animal} {number:04d}", "avatar": None, "country": country}


def is_online(last_active_at: datetime | None, now: datetime) -> bool:
    """Whether a heartbeat at ``last_active_at`` falls within :data:`ONLINE_WINDOW` of ``now``."""
    return last_active_at is not None and timedelta(0) <= now - last_active_at < ONLINE_WINDOW
