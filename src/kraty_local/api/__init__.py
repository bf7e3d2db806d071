"""HTTP routers of ``/server/v1``; :func:`server_v1_router` assembles them."""

from __future__ import annotations

from fastapi import APIRouter

from kraty_local.api import grants, holdings, lobbies, migrate, ping, players, scoring
from kraty_local.api.models import ERROR_RESPONSES

API_PREFIX = "/server/v1"


def server_v1_router() -> APIRouter:
    """Every ``/server/v1`` route."""
    router = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)
    for module in (ping, holdings, grants, lobbies, migrate, scoring, players):
        router.include_router(module.router)
    return router
