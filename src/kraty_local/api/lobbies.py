"""Lobby routes (``/games/{gameId}/...``: the game is named by the path)."""

from __future__ import annotations

from fastapi import APIRouter

from kraty_local.api.deps import GamePathCall
from kraty_local.api.lobby_models import LobbyPushIn
from kraty_local.api.models import Envelope
from kraty_local.api.routing import GAME_PATH
from kraty_local.api.strings import KeyPath, RowIdPath
from kraty_local.services import lobbies
from kraty_local.wire import Lobby, LobbyView

router = APIRouter(tags=["lobbies"])


@router.post(GAME_PATH + "/events/{event_key:segment}/lobbies", response_model=Envelope[Lobby])
def push(event_key: KeyPath, body: LobbyPushIn, call: GamePathCall) -> Envelope[Lobby]:
    """Push a lobby matched outside Kraty; idempotent on ``key`` for the life of the lobby."""
    lobby = call.write(
        lambda ctx: lobbies.push(
            ctx,
            event_key,
            body.key,
            body.externalPlayerIds,
            capacity=body.capacity,
            fill_bots=body.fillBots,
            metadata=body.metadata,
        )
    )
    return Envelope(data=lobby)


@router.get(GAME_PATH + "/lobbies/{lobby_id:segment}", response_model=Envelope[LobbyView])
def read(lobby_id: RowIdPath, call: GamePathCall) -> Envelope[LobbyView]:
    """A lobby with its participants."""
    return Envelope(data=call.read(lambda ctx: lobbies.read(ctx, lobby_id)))
