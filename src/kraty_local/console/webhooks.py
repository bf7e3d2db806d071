"""Webhooks: each visible game's endpoints, the latest deliveries, and redelivery.

The same queries and the same redelivery as ``/_local/webhooks`` (``webhooks.admin``), for the
games the signed-in key sees.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import Response

from kraty_local.api.strings import RowId
from kraty_local.console.session import Session
from kraty_local.console.web import (
    REFUSALS,
    Action,
    Refusal,
    action,
    checked,
    refusal,
    render,
    see_other,
    signed_in,
)
from kraty_local.db import run_transaction
from kraty_local.runtime import runtime_of
from kraty_local.webhooks import admin, deliveries

router = APIRouter(prefix="/webhooks", include_in_schema=False)
#: Deliveries the page lists, newest first.
SHOWN = 100
STATUSES = (deliveries.PENDING, deliveries.DELIVERED, deliveries.DEAD)


def _page(
    request: Request,
    session: Session,
    status: str = "",
    *,
    notice: str | None = None,
    refused: Refusal | None = None,
) -> Response:
    runtime = runtime_of(request.app)
    games = admin.visible_games(session.principal, runtime)
    world = runtime.settings.world
    chosen = status if status in STATUSES else None

    def read(conn: Connection) -> dict[str, Any]:
        return {
            "endpoints": {g: deliveries.endpoint_urls(conn, world.games[g]) for g in games},
            "deliveries": deliveries.list_deliveries(conn, games, status=chosen, limit=SHOWN),
        }

    code, error = refusal(refused) if refused else (200, None)
    return render(
        request,
        "webhooks.html",
        session,
        status=code,
        statuses=STATUSES,
        chosen=chosen or "",
        notice=notice,
        error=error,
        **run_transaction(runtime.engine, read, write=False),
    )


@router.get("")
def webhooks(
    request: Request, session: Annotated[Session, Depends(signed_in)], status: str = ""
) -> Response:
    """Endpoints and deliveries (``status`` filters: pending, delivered, dead)."""
    notice = "Redelivery queued." if request.query_params.get("notice") == "redelivered" else None
    return _page(request, session, status, notice=notice)


@router.post("/redeliver")
def redeliver(request: Request, submitted: Annotated[Action, Depends(action)]) -> Response:
    """Queue an event again for every endpoint of its game, as the admin route does."""
    try:
        event_id = checked(RowId, submitted.field("eventId"), "eventId")
        admin.redeliver_event(runtime_of(request.app), submitted.session.principal, event_id)
    except REFUSALS as err:
        return _page(request, submitted.session, refused=err)
    return see_other("/webhooks?notice=redelivered")
