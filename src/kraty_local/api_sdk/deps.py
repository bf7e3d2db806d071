"""Who a ``/sdk/v1`` call acts for: the client key's game, and the player its secret opens.

``ApiMiddleware`` has already checked the ``client_sdk`` key. Player routes then check
``X-Player-Secret`` against the path's player (``401 player_secret_invalid``) and, for writes,
the soft ban (``403 player_banned``), before anything is claimed in the idempotency store (so a
replay never bypasses either check). A write checks both again inside its own transaction, on
the locked player row: a ban or secret rotation committed in between is seen there, and one
arriving later waits for the write to commit. The lock is a share lock, but for writes of the
row itself (``PlayerRowWrite``), which take it for update from the start: upgrading a share
lock deadlocks as soon as two transactions hold it. Neither refusal is stored as the key's answer,
so the same request applies once the player is unbanned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header

from kraty_local.api.deps import GameCall, PlayerCall
from kraty_local.api.strings import PlayerIdPath
from kraty_local.services.players import RowLock
from kraty_local.services.registration import authenticate_player

PLAYER_SECRET_HEADER = "X-Player-Secret"  # noqa: S105 - a header name

SecretHeader = Annotated[
    str | None,
    Header(
        alias=PLAYER_SECRET_HEADER,
        description="The secret the player's register answered (401 player_secret_invalid).",
    ),
]


def _reading_player(
    player_id: PlayerIdPath, call: PlayerCall, secret: SecretHeader = None
) -> GameCall:
    """A read by the player the secret opens."""
    call.read(lambda ctx: authenticate_player(ctx, player_id, secret, writing=False))
    return call


def _writing_player(row_lock: RowLock) -> Callable[..., GameCall]:
    """The dependency of writes that lock the player's row so."""

    def writing(player_id: PlayerIdPath, call: PlayerCall, secret: SecretHeader = None) -> GameCall:
        """A write by the player the secret opens, refused while the player is banned."""
        call.read(lambda ctx: authenticate_player(ctx, player_id, secret, writing=True))
        call.guard_writes(
            lambda ctx: authenticate_player(ctx, player_id, secret, writing=True, row_lock=row_lock)
        )
        return call

    return writing


_WRITING = _writing_player("share")

#: A read on ``/sdk/v1/players/{p}/...``, with the player's secret checked.
PlayerRead = Annotated[GameCall, Depends(_reading_player)]
#: A write on ``/sdk/v1/players/{p}/...``: the secret checked, and the ban gate.
PlayerWrite = Annotated[GameCall, Depends(_WRITING)]
#: ``PlayerWrite`` for writes of the player's own row (presence, identity): the row is locked
#: for update at once, since two such writes upgrading their share locks would deadlock.
PlayerRowWrite = Annotated[GameCall, Depends(_writing_player("update"))]
#: The same checks as ``PlayerWrite``, for a server route reused on ``/sdk/v1`` unchanged.
WRITE_GATE = Depends(_WRITING)
