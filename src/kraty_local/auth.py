"""API keys: authentication of ``Authorization: Bearer <prefix>.<secret>`` and game access.

Keys come from the world file and from the database (the start-up keys: a server key and a
``client_sdk`` key for the game client's ``/sdk/v1``). Only SHA-256 hashes are compared, in
constant time. The start-up keys' plaintexts are also kept in the ``meta`` table so a restarted
local server can print them again: Kraty Local is a development tool.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from kraty_local.domain.errors import Forbidden, SessionInvalid, TenantMismatch, Unauthenticated
from kraty_local.store.queries import insert_ignore
from kraty_local.store.schema import api_keys, meta
from kraty_local.world import (
    CLIENT_SDK,
    SERVER_INTEGRATION,
    Game,
    World,
    hash_key,
    split_key,
)

_SERVER_KEY_META = "server_key"
_CLIENT_KEY_META = "client_key"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: one API key."""

    key_id: str
    prefix: str
    studio_id: str
    game_id: str | None
    permission_set: str
    environment: str

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"api_key:{self.prefix}"


@dataclass(frozen=True)
class _KnownKey:
    principal: Principal
    sha256: str


class KeyRing:
    """The keys this server accepts, indexed by prefix."""

    def __init__(self, keys: Iterable[tuple[Principal, str]]) -> None:
        """Build from ``(principal, sha256 of the plaintext key)`` pairs."""
        self._keys = {p.prefix: _KnownKey(p, sha) for p, sha in keys}

    def principal(self, prefix: str) -> Principal | None:
        """The principal of the usable key with that prefix, if any (no secret is checked)."""
        known = self._keys.get(prefix)
        return None if known is None else known.principal

    def authenticate(
        self, authorization: str | None, permission_set: str = SERVER_INTEGRATION
    ) -> Principal:
        """The principal of an ``Authorization`` header value whose key has ``permission_set``
        (the surface's); else :class:`Unauthenticated`, :class:`SessionInvalid` or
        :class:`Forbidden`."""
        if authorization is None:
            raise Unauthenticated("Missing Authorization header.")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise SessionInvalid("Expected 'Authorization: Bearer <key>'.")
        token = token.strip()
        try:
            prefix = split_key(token)[0]
        except ValueError:
            raise SessionInvalid("Malformed API key.") from None
        known = self._keys.get(prefix)
        if known is None or not hmac.compare_digest(known.sha256, hash_key(token)):
            raise SessionInvalid("Unknown or revoked API key.")
        if known.principal.permission_set != permission_set:
            raise Forbidden(f"This key's permission set cannot call this API ({permission_set}).")
        return known.principal


def key_game(principal: Principal, world: World) -> Game:
    """The game a player-scoped route acts on: the key's own game."""
    if principal.game_id is None:
        raise Forbidden(
            "This is a studio-wide key; player routes need a key bound to one game.",
        )
    return world.games[principal.game_id]


def authorize_game(principal: Principal, world: World, game_id: str) -> Game:
    """The game named in a path, if this key may act on it (else 403)."""
    game = world.games.get(game_id)
    if game is None:
        raise Forbidden(f"Unknown game {game_id!r} for this key.")
    if game.studio_id != principal.studio_id:
        raise TenantMismatch("This game belongs to another studio.")
    if principal.game_id is not None and principal.game_id != game_id:
        raise Forbidden("This key is bound to another game.")
    return game


def ensure_server_key(conn: Connection, world: World, configured: str | None, now: datetime) -> str:
    """Register the start-up key (configured, stored, or newly generated) and return it."""
    return _ensure_startup_key(
        conn, world, configured, now, meta_key=_SERVER_KEY_META, permission_set=SERVER_INTEGRATION
    )


def ensure_client_key(conn: Connection, world: World, now: datetime) -> str:
    """Register the default game's start-up ``client_sdk`` key (stored, or newly generated)."""
    return _ensure_startup_key(
        conn, world, None, now, meta_key=_CLIENT_KEY_META, permission_set=CLIENT_SDK
    )


def _ensure_startup_key(
    conn: Connection,
    world: World,
    configured: str | None,
    now: datetime,
    *,
    meta_key: str,
    permission_set: str,
) -> str:
    if configured is not None:
        split_key(configured)
        plaintext = configured
    else:
        kind = "test" if permission_set == SERVER_INTEGRATION else "client"
        candidate = f"kl_{kind}_{secrets.token_hex(4)}.{secrets.token_urlsafe(32)}"
        insert_ignore(conn, meta, {"key": meta_key, "value": candidate}, ["key"])
        plaintext = conn.execute(select(meta.c.value).where(meta.c.key == meta_key)).scalar_one()
    prefix = split_key(plaintext)[0]
    game = world.games[world.default_game_id]
    values = {
        "secret_sha256": hash_key(plaintext),
        "studio_id": game.studio_id,
        "game_id": game.id,
        "permission_set": permission_set,
        "environment": "test",
        "revoked_at": None,
    }
    inserted = insert_ignore(
        conn,
        api_keys,
        {"id": str(uuid.uuid4()), "prefix": prefix, "created_at": now, **values},
        ["prefix"],
    )
    if not inserted:
        conn.execute(api_keys.update().where(api_keys.c.prefix == prefix).values(**values))
    return plaintext


def load_keyring(conn: Connection, world: World) -> KeyRing:
    """All usable keys: the world's plus the database's unrevoked ones."""
    pairs = [
        (
            Principal(
                f"world:{k.prefix}",
                k.prefix,
                k.studio_id,
                k.game_id,
                k.permission_set,
                k.environment,
            ),
            k.sha256,
        )
        for k in world.keys
    ]
    rows = conn.execute(select(api_keys).where(api_keys.c.revoked_at.is_(None)))
    for row in rows:
        if row.game_id is not None and row.game_id not in world.games:
            continue  # bound to a game this world no longer has
        principal = Principal(
            row.id, row.prefix, row.studio_id, row.game_id, row.permission_set, row.environment
        )
        pairs.append((principal, row.secret_sha256))
    return KeyRing(pairs)
