"""Player registration and the per-player client secret (contract section 10, Auth).

A secret is ``ps_<8 hex>.<43 urlsafe>``, minted from :mod:`secrets` and shown once, in the
register answer. Only its SHA-256 is stored (``players.secret_sha256``, plus the public prefix);
checking one hashes the presented value and compares digests in constant time. A register is
never replayed from the idempotency store, since that would keep the secret in plaintext.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import Row

from kraty_local.domain.client_errors import (
    PlayerAlreadyRegistered,
    PlayerBanned,
    PlayerSecretInvalid,
)
from kraty_local.services.context import OpContext
from kraty_local.services.identities import (
    anonymized_identity,
    display_identity,
    synthetic_identity,
)
from kraty_local.services.players import (
    RowLock,
    ensure_player,
    find_player_row,
    require_player_row,
)
from kraty_local.store.schema import players
from kraty_local.timefmt import iso_or_none

#: A client secret is never longer than this; longer headers are refused before hashing.
MAX_SECRET_LENGTH = 200
_SECRET_PREFIX = "ps_"  # noqa: S105 - the public prefix of every secret
#: The audit action a registration (or secret rotation) writes.
REGISTER_ACTION = "player.client_register"


def register(ctx: OpContext, external_player_id: str, *, force: bool) -> dict[str, Any]:
    """Mint the player's secret (creating the player when missing) and answer it, once.

    A banned player is refused (``403 player_banned``); a registered one too
    (``409 player_already_registered``) unless ``force``, which replaces the secret at once.
    """
    if find_player_row(ctx, external_player_id) is None:
        ensure_player(ctx, external_player_id)
    row = require_player_row(ctx, external_player_id, lock=True)
    if row.banned_at is not None:
        raise PlayerBanned(external_player_id)
    rotating = row.secret_sha256 is not None
    if rotating and not force:
        raise PlayerAlreadyRegistered(external_player_id)
    prefix = f"{_SECRET_PREFIX}{secrets.token_hex(4)}"
    secret = f"{prefix}.{secrets.token_urlsafe(32)}"
    values: dict[str, Any] = {
        "secret_sha256": _digest(secret),
        "secret_prefix": prefix,
        "updated_at": ctx.now,
    }
    if rotating:
        values["secret_rotated_at"] = ctx.now
    ctx.conn.execute(players.update().where(players.c.id == row.id).values(**values))
    ctx.audit(REGISTER_ACTION, row.id, {"secretPrefix": prefix, "force": rotating})
    return {
        "playerId": row.id,
        "externalPlayerId": row.external_player_id,
        "secret": secret,
        "secretPrefix": prefix,
        "registeredAt": iso_or_none(row.registered_at),
        "country": row.country,
        **identities(row),
    }


def identities(row: Row[Any]) -> dict[str, Any]:
    """The three identities of a player row: synthetic (the name set for them, else their
    anonymized name), display (``None`` until a name is set) and anonymized."""
    anonymized = anonymized_identity(row.id, row.country)
    name = row.synthetic_name
    return {
        "syntheticIdentity": (
            {"name": anonymized["name"]}
            if name is None
            else synthetic_identity(name, row.synthetic_avatar)
        ),
        "displayIdentity": display_identity(name, row.synthetic_avatar, row.country),
        "anonymizedIdentity": anonymized,
    }


def authenticate_player(
    ctx: OpContext,
    external_player_id: str,
    secret: str | None,
    *,
    writing: bool,
    row_lock: RowLock | None = None,
) -> Row[Any]:
    """The player row whose secret ``secret`` is; ``401 player_secret_invalid`` otherwise (also
    for a player that does not exist or never registered). ``writing``: a banned player is
    refused with ``403 player_banned`` after the secret check. ``row_lock``: the row is locked
    (``"share"`` or ``"update"``), so a ban or secret rotation (they lock it for update) either
    committed before this read or waits for the caller's transaction to end."""
    row = find_player_row(
        ctx, external_player_id, lock=row_lock == "update", share=row_lock == "share"
    )
    presented = _digest(secret) if secret and len(secret) <= MAX_SECRET_LENGTH else ""
    stored = "" if row is None or row.secret_sha256 is None else row.secret_sha256
    # compare_digest on equal-length hex strings: no early exit that timing could reveal.
    if not (presented and stored and hmac.compare_digest(presented, stored)):
        raise PlayerSecretInvalid
    assert row is not None  # a stored digest came from a row
    if writing and row.banned_at is not None:
        raise PlayerBanned(external_player_id)
    return row


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
