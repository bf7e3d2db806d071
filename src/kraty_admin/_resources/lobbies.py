"""``kraty.lobbies``: push pre-matched lobbies and read them back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from kraty_admin._core import Call, compact, path
from kraty_admin._resources._endpoint import Resource, endpoint

if TYPE_CHECKING:
    from kraty_admin.types import Lobby

S = TypeVar("S")


def _push(
    game_id: str,
    event_key: str,
    key: str,
    external_player_ids: list[str],
    *,
    capacity: int | None = None,
    fill_bots: bool | None = None,
    metadata: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> Call[Lobby]:
    """Create a lobby matched outside Kraty; idempotent on ``key`` (your lobby id).

    The event's ``leaderboardMode`` must be ``lobby_matched``.
    """
    if isinstance(external_player_ids, str):
        raise TypeError("external_player_ids must be a sequence of ids, not a single string")
    body = compact(
        key=key,
        externalPlayerIds=list(external_player_ids),
        capacity=capacity,
        fillBots=fill_bots,
        metadata=dict(metadata) if metadata is not None else None,
    )
    return Call.post(path("games", game_id, "events", event_key, "lobbies"), body, idempotency_key)


def _read(game_id: str, lobby_id: str) -> Call[Lobby]:
    """Read a lobby by id."""
    return Call.get(path("games", game_id, "lobbies", lobby_id))


class Lobbies(Resource[S]):
    """Lobbies: ``push`` (pre-matched) and ``read``."""

    push = endpoint(_push)
    read = endpoint(_read)
