"""``/_local/webhooks``: Kraty Local's own admin routes for webhook deliveries and endpoints.

Not part of the ``/server/v1`` contract. Every route needs a server key (``Authorization:
Bearer ...``), checked and rate-limited by ``ApiMiddleware`` like the rest of the API, and sees
the key's game, or every game of its studio for a studio-wide key.

- ``GET /_local/webhooks/deliveries?eventId=&endpointUrl=&status=&limit=`` lists deliveries,
  newest first.
- ``POST /_local/webhooks/events/{eventId}/redeliver`` queues an event again for every endpoint
  its game has now.
- ``POST /_local/webhooks/endpoints`` ``{url, gameId?, secret?}`` registers a temporary
  endpoint signing with ``secret`` (default: a fresh one) and answers it (``kraty-admin webhooks
  listen`` passes the receiver's own); ``GET
  /_local/webhooks/endpoints`` lists them (without secrets); ``DELETE
  /_local/webhooks/endpoints/{id}`` removes one.
- ``GET /_local/webhooks/endpoints/{id}/attempts/stream`` streams every delivery attempt to
  the endpoint as Server-Sent Events (:mod:`.stream`); a temporary endpoint expires once no
  stream has kept it alive for ``webhook_listen_expiry_seconds``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Connection

from kraty_local.api.deps import Caller, get_runtime
from kraty_local.api.models import Body, error_responses
from kraty_local.api.routing import segment
from kraty_local.api.strings import IdempotencyKey, Key, RowId, RowIdPath, Url, WebhookSecret
from kraty_local.auth import Principal, authorize_game, key_game
from kraty_local.db import run_transaction
from kraty_local.domain.errors import NotFound
from kraty_local.http11 import ENDLESS_STREAM
from kraty_local.runtime import Runtime
from kraty_local.webhooks import deliveries, stream

PREFIX = "/_local/webhooks"

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def visible_games(principal: Principal, runtime: Runtime) -> list[str]:
    """The games a key sees: its own, or every game of its studio for a studio-wide key."""
    if principal.game_id is not None:
        return [principal.game_id]
    games = runtime.settings.world.games.values()
    return [game.id for game in games if game.studio_id == principal.studio_id]


class EndpointIn(Body):
    """A temporary endpoint to register.

    ``idempotencyKey`` is accepted (the SDK's ``request`` stamps every POST, and the CLI goes
    through it) but not used: the CLI sends this call once, without retries.
    """

    url: Url
    gameId: Key | None = None
    #: The signing secret to use (``webhooks listen`` passes the receiver's); default: a fresh one.
    secret: WebhookSecret | None = None
    idempotencyKey: IdempotencyKey | None = None


#: No route here writes idempotently or conflicts: no 409.
router = APIRouter(
    prefix=PREFIX,
    tags=["local webhooks"],
    responses=error_responses(400, 401, 403, 404, 413, 429, 500, 503),
)


@router.get("/deliveries")
def list_deliveries(
    runtime: RuntimeDep,
    principal: Caller,
    event_id: Annotated[RowId | None, Query(alias="eventId")] = None,
    endpoint_url: Annotated[Url | None, Query(alias="endpointUrl")] = None,
    status: Literal["pending", "delivered", "dead"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Deliveries visible to the key, newest first."""
    games = visible_games(principal, runtime)
    rows = run_transaction(
        runtime.engine,
        lambda conn: deliveries.list_deliveries(
            conn, games, event_id=event_id, endpoint_url=endpoint_url, status=status, limit=limit
        ),
        write=False,
    )
    return {"data": rows}


@router.post(f"/events/{segment('event_id')}/redeliver")
def redeliver(event_id: RowIdPath, runtime: RuntimeDep, principal: Caller) -> dict[str, Any]:
    """Queue the event again (fresh retry cycle) for every endpoint its game has now."""
    return {"data": redeliver_event(runtime, principal, event_id)}


def redeliver_event(runtime: Runtime, principal: Principal, event_id: str) -> dict[str, Any]:
    """Redeliver an event the key can see (``NotFound`` otherwise); the console calls it too."""
    games, settings = visible_games(principal, runtime), runtime.settings
    queued = run_transaction(
        runtime.engine,
        lambda conn: deliveries.redeliver(
            conn, settings.world, event_id, games, settings.clock.now()
        ),
    )
    if queued is None:
        raise NotFound(f"Unknown event {event_id!r}.")
    return {"eventId": event_id, "deliveriesQueued": queued}


@router.post("/endpoints", status_code=201)
def add_endpoint(body: EndpointIn, runtime: RuntimeDep, principal: Caller) -> dict[str, Any]:
    """Register a temporary endpoint for the key's game (or ``gameId``); answers its secret."""
    world, now = runtime.settings.world, runtime.settings.clock.now()
    game = (
        key_game(principal, world)
        if body.gameId is None
        else authorize_game(principal, world, body.gameId)
    )
    expires_at = stream.expiry(runtime)
    endpoint = run_transaction(
        runtime.engine,
        lambda conn: deliveries.add_endpoint(
            conn, game.id, body.url, now, expires_at, secret=body.secret
        ),
    )
    return {"data": endpoint}


@router.get("/endpoints")
def list_endpoints(runtime: RuntimeDep, principal: Caller) -> dict[str, Any]:
    """The temporary endpoints visible to the key, oldest first (without their secrets)."""
    games = visible_games(principal, runtime)
    rows = run_transaction(
        runtime.engine, lambda conn: deliveries.list_endpoints(conn, games), write=False
    )
    return {"data": rows}


@router.get(
    f"/endpoints/{segment('endpoint_id')}/attempts/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {stream.MEDIA_TYPE: {}}, "description": "Server-Sent Events."}},
)
def stream_attempts(
    endpoint_id: RowIdPath, request: Request, runtime: RuntimeDep, principal: Caller
) -> StreamingResponse:
    """Every delivery attempt to a temporary endpoint, as it happens (Server-Sent Events)."""
    games, until = visible_games(principal, runtime), stream.expiry(runtime)

    def keep_and_read(conn: Connection) -> list[dict[str, str]]:
        kept = deliveries.keep_endpoint(conn, endpoint_id, until, games)
        return deliveries.list_endpoints(conn, games, endpoint_id) if kept else []

    found = run_transaction(runtime.engine, keep_and_read)
    if not found:
        raise NotFound(f"Unknown endpoint {endpoint_id!r}.")
    runtime.attempts.ready()
    request.scope.setdefault("state", {})[ENDLESS_STREAM] = True
    return StreamingResponse(
        stream.attempt_events(runtime, found[0]),
        media_type=stream.MEDIA_TYPE,
        headers={"Cache-Control": "no-store"},
    )


@router.delete(f"/endpoints/{segment('endpoint_id')}")
def remove_endpoint(
    endpoint_id: RowIdPath, runtime: RuntimeDep, principal: Caller
) -> dict[str, Any]:
    """Remove a temporary endpoint; its deliveries still pending are not sent."""
    games = visible_games(principal, runtime)
    removed = run_transaction(
        runtime.engine, lambda conn: deliveries.remove_endpoint(conn, endpoint_id, games)
    )
    if not removed:
        raise NotFound(f"Unknown endpoint {endpoint_id!r}.")
    return {"data": {"id": endpoint_id, "deleted": True}}
