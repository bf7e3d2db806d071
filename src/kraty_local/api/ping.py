"""``GET /ping``: the calling key, bare (no ``data`` envelope)."""

from __future__ import annotations

from fastapi import APIRouter

from kraty_local.api.deps import Caller
from kraty_local.wire import Ping

router = APIRouter(tags=["health"])


@router.get("/ping", response_model=Ping)
def ping(principal: Caller) -> Ping:
    """Check the key and the server."""
    return {
        "ok": True,
        "apiKey": {
            "id": principal.key_id,
            "prefix": principal.prefix,
            "permissionSet": principal.permission_set,
            "environment": principal.environment,
            "studioId": principal.studio_id,
            "gameId": principal.game_id,
        },
    }
