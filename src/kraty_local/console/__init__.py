"""The Kraty Local console (``/``) and the offline API docs (``/docs``, ``/redoc``).

Server-rendered pages (Jinja2) for people: Player Lookup, Webhooks and World, signed in with a
server key (``session``). They sit outside the API's bearer gate and run the API's own services
and input types. Every asset ships in the package (``static/``): no build step, no network.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from kraty_local.console import docs, players, signing_in, webhooks, world
from kraty_local.console.web import (
    InputError,
    SignInRequired,
    on_input_error,
    on_sign_in_required,
)

#: The app's handlers of the console's own exceptions (pages, not JSON envelopes).
EXCEPTION_HANDLERS: dict[
    int | type[Exception], Callable[[Request, Any], Coroutine[Any, Any, Response]]
] = {SignInRequired: on_sign_in_required, InputError: on_input_error}


def routes() -> list[BaseRoute]:
    """The console's pages, the docs pages and the static files (``/static``)."""
    router = APIRouter()
    for module in (signing_in, players, webhooks, world, docs):
        router.include_router(module.router)
    static = StaticFiles(packages=[("kraty_local.console", "static")])
    return [*router.routes, Mount(docs.STATIC, app=static, name="static")]
