"""Routes whose JSON bodies are decoded with ``orjson`` (the 100 KB batches of the migration
routes, where the standard ``json`` module is a visible share of the request's CPU)."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute


class FastJsonRequest(Request):
    """A request whose :meth:`json` uses ``orjson``."""

    async def json(self) -> Any:
        """The decoded body. ``orjson`` refuses a few documents the standard module takes
        (integers past 64 bits, ``NaN``): those are decoded, or refused, as before."""
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = orjson.loads(body)
            except orjson.JSONDecodeError:
                self._json = json.loads(body)
        return self._json


class FastJsonRoute(APIRoute):
    """``APIRouter(route_class=FastJsonRoute)``: its routes read :class:`FastJsonRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, given the request as a :class:`FastJsonRequest`."""
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            return await handler(FastJsonRequest(request.scope, request.receive))

        return route
