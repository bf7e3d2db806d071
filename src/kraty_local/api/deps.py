"""Request dependencies: the runtime, the caller, and :class:`GameCall`, which runs services.

A route gets a ``GameCall`` (``PlayerCall`` for ``/players/...``: the key's own game;
``GamePathCall`` for ``/games/{gameId}/...``: the game of the path), then hands
it the service call as a ``work(ctx)`` function. ``idempotent`` wraps writes in the idempotency
layer; ``write`` and ``read`` run one plain transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar, cast

import orjson
from fastapi import Depends, Request, Response
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from kraty_local.api.models import IdempotentBody
from kraty_local.api.strings import KeyPath
from kraty_local.auth import Principal, authorize_game, key_game
from kraty_local.db import run_transaction
from kraty_local.errors import ApiError
from kraty_local.idempotency import IdempotencyScope, run_idempotent
from kraty_local.runtime import Runtime, runtime_of
from kraty_local.services.context import OpContext
from kraty_local.world import Game

T = TypeVar("T")
PRINCIPAL_SCOPE_KEY = "kraty.principal"
REPLAYED_HEADER = "Idempotent-Replayed"


# The dependencies are ``async def`` on purpose: they do no I/O, and FastAPI would run a plain
# ``def`` dependency in the thread pool, one thread hop each before the route's own.


async def get_runtime(request: Request) -> Runtime:
    """The app's :class:`Runtime`."""
    return runtime_of(request.app)


async def get_principal(request: Request) -> Principal:
    """The caller, authenticated by ``middleware.ApiMiddleware`` before routing."""
    return cast(Principal, request.scope[PRINCIPAL_SCOPE_KEY])


class GameCall:
    """One request acting on one game."""

    def __init__(
        self, runtime: Runtime, principal: Principal, game: Game, method: str, path: str
    ) -> None:
        """Bind the API method and raw path (the idempotency scope) to the game."""
        self.runtime = runtime
        self.principal = principal
        self.game = game
        self.method = method
        self.path = path
        self._write_guard: Callable[[OpContext], object] | None = None

    @classmethod
    def of_request(
        cls, request: Request, runtime: Runtime, principal: Principal, game: Game
    ) -> GameCall:
        """The call of an API request: its own method and raw path."""
        return cls(runtime, principal, game, request.method, request.scope["path"])

    def context(self, conn: Connection) -> OpContext:
        """The service context for an open transaction."""
        settings = self.runtime.settings
        return OpContext(
            conn,
            settings.world,
            self.game,
            self.principal.actor,
            settings.clock.now(),
            settings.rng_seed,
        )

    def guard_writes(self, check: Callable[[OpContext], object]) -> None:
        """Run ``check`` first in each write transaction of this call (``idempotent``, after the
        key is claimed, and ``write``), so what it checks cannot change before the write commits.

        It must raise only undecided errors: those roll the whole transaction back, the key's
        claim included, so the refusal is never stored as the key's answer.
        """
        self._write_guard = check

    def _write_context(self, conn: Connection) -> OpContext:
        ctx = self.context(conn)
        if self._write_guard is not None:
            self._write_guard(ctx)
        return ctx

    def idempotent(
        self,
        body: IdempotentBody,
        work: Callable[[OpContext], T],
        response: Response,
        *,
        status_code: int = 200,
    ) -> T:
        """Run ``work`` once per idempotency key and return its result (or the stored one).

        The status (the original one on a replay) and ``Idempotent-Replayed: true`` are set on
        the route's ``response``; a stored error is raised again as it was first answered.
        """
        settings = self.runtime.settings
        scope = IdempotencyScope(
            self.game.studio_id, self.game.id, self.method, self.path, body.idempotencyKey
        )

        def run(conn: Connection) -> tuple[int, dict[str, Any]]:
            return status_code, {"data": work(self._write_context(conn))}

        outcome = run_idempotent(
            self.runtime.engine,
            scope,
            body.fingerprint_fields(),
            run,
            now=settings.clock.now(),
            ttl=settings.idempotency_ttl,
        )
        headers = {REPLAYED_HEADER: "true"} if outcome.replayed else {}
        if outcome.status >= 400:
            error = outcome.body["error"]
            raise ApiError(
                outcome.status, error["code"], error["message"], error["details"], headers=headers
            )
        response.status_code = outcome.status
        response.headers.update(headers)
        return cast(T, outcome.body["data"])

    def write(self, work: Callable[[OpContext], T]) -> T:
        """Run ``work`` in one write transaction (for writes idempotent by other means).

        ``work`` runs again after a deadlock or serialization failure, so it must not have effects
        outside the database.
        """
        return run_transaction(self.runtime.engine, lambda conn: work(self._write_context(conn)))

    def read(self, work: Callable[[OpContext], T]) -> T:
        """Run ``work`` in one read-only transaction."""
        return run_transaction(
            self.runtime.engine, lambda conn: work(self.context(conn)), write=False
        )


async def data_response(work: Callable[[Response], object]) -> Response:
    """Run a route's blocking ``work`` in a worker thread and answer ``{"data": <its result>}``.

    ``work`` sets the status and headers on the response it is given (as
    :meth:`GameCall.idempotent` does). The body is serialized once, with ``orjson``, instead of
    being validated against the route's response model and serialized by it: only for results
    already in the model's exact shape (the model still documents the route).
    """
    response = Response(media_type="application/json")
    data = await run_in_threadpool(work, response)
    response.body = orjson.dumps({"data": data})
    response.headers["content-length"] = str(len(response.body))
    return response


# The call dependencies read the runtime and the caller themselves instead of depending on
# get_runtime / get_principal: every sub-dependency is solved anew on each request.


async def player_call(request: Request) -> GameCall:
    """A call on the key's own game (player-scoped routes)."""
    runtime, principal = await get_runtime(request), await get_principal(request)
    game = key_game(principal, runtime.settings.world)
    return GameCall.of_request(request, runtime, principal, game)


async def path_game_call(game_id: KeyPath, request: Request) -> GameCall:
    """A call on the game named by the path (``/games/{gameId}/...``), if the key may act on it."""
    runtime, principal = await get_runtime(request), await get_principal(request)
    game = authorize_game(principal, runtime.settings.world, game_id)
    return GameCall.of_request(request, runtime, principal, game)


PlayerCall = Annotated[GameCall, Depends(player_call)]
GamePathCall = Annotated[GameCall, Depends(path_game_call)]
Caller = Annotated[Principal, Depends(get_principal)]
