"""HTTP routers of ``/sdk/v1``, the game client's surface (contract section 10):
:func:`sdk_v1_router` assembles them. Every route needs a ``client_sdk`` key; player routes
also the player's ``X-Player-Secret`` (:mod:`kraty_local.api_sdk.deps`)."""

from __future__ import annotations

from fastapi import APIRouter

from kraty_local.api.models import ERROR_RESPONSES
from kraty_local.api_sdk import boards, events, holdings, inbox, players, social

SDK_PREFIX = "/sdk/v1"


def sdk_v1_router() -> APIRouter:
    """Every ``/sdk/v1`` route."""
    router = APIRouter(prefix=SDK_PREFIX, responses=ERROR_RESPONSES)
    for module in (players, inbox, holdings, events, boards, social):
        router.include_router(module.router)
    return router
