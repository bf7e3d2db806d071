"""World: the games of the key's studio (catalog, events, leaderboards, webhook URLs) and the
server keys it can use, by prefix only (never a secret)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from kraty_local.auth import Principal
from kraty_local.console.session import Session
from kraty_local.console.web import render, signed_in
from kraty_local.runtime import runtime_of
from kraty_local.world import ServerKey, split_key

router = APIRouter(include_in_schema=False)


def _key_row(key: ServerKey | Principal, origin: str) -> dict[str, Any]:
    return {
        "prefix": key.prefix,
        "gameId": key.game_id,
        "permissionSet": key.permission_set,
        "environment": key.environment,
        "origin": origin,
    }


@router.get("/world")
def world(request: Request, session: Annotated[Session, Depends(signed_in)]) -> Response:
    """What this server serves to the signed-in key's studio."""
    runtime = runtime_of(request.app)
    studio = session.principal.studio_id
    served = runtime.settings.world
    games = [game for game in served.games.values() if game.studio_id == studio]
    startup = runtime.keyring.principal(split_key(runtime.server_key)[0])
    keys = [_key_row(key, "world file") for key in served.keys if key.studio_id == studio]
    if startup is not None and startup.studio_id == studio:
        keys.insert(0, _key_row(startup, "start-up key"))
    return render(
        request,
        "world.html",
        session,
        studio=served.studios[studio],
        games=games,
        keys=keys,
        now=runtime.settings.clock.now(),
    )
