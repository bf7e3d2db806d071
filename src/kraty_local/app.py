"""The FastAPI application factory, in the shape of Starlette's constructor.

Routes, middleware (one list, outermost first), exception handlers and the lifespan are all given
to the constructor; building the app does no I/O. The lifespan opens the :class:`Runtime`
(database, migrations, start-up key, webhook dispatcher) and closes it in reverse on shutdown.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import cache

from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from kraty_admin._version import __version__
from kraty_local import console
from kraty_local.api import API_PREFIX, server_v1_router
from kraty_local.api.openapi import DocumentedApp
from kraty_local.api_sdk import SDK_PREFIX, sdk_v1_router
from kraty_local.errors import EXCEPTION_HANDLERS
from kraty_local.middleware import ApiMiddleware
from kraty_local.runtime import Runtime
from kraty_local.settings import Settings
from kraty_local.webhooks import admin as webhooks_admin


def create_app(settings: Settings) -> FastAPI:
    """Build a Kraty Local app for ``settings``; nothing is opened until its lifespan runs.

    While the app runs, :func:`kraty_local.runtime.runtime_of` gives its runtime; in-process
    callers without an ASGI server open it with :func:`running`.
    """
    middleware = [
        Middleware(
            ApiMiddleware,
            guarded=(API_PREFIX, webhooks_admin.PREFIX),
            client_guarded=(SDK_PREFIX,),
            max_body_bytes=settings.max_body_bytes,
        ),
    ]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with running(app):
            if settings.freeze_gc:
                gc.collect()  # the start-up's own garbage is not kept for good
                gc.freeze()
            yield

    app = DocumentedApp(
        title="Kraty Local",
        version=__version__,
        description="A stateful local implementation of the Kraty /server/v1 and /sdk/v1 APIs. "
        "The console for people is at `/`.",
        docs_url=None,  # served by the console from the wheel's assets, not from a CDN
        redoc_url=None,
        middleware=middleware,
        exception_handlers={**EXCEPTION_HANDLERS, **console.EXCEPTION_HANDLERS},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.router.routes.extend(_routes())
    return app


@cache
def _routes() -> tuple[BaseRoute, ...]:
    """Every route, built once per process and shared by its apps: building them costs ~0.2 s
    (a pydantic adapter per parameter), and they hold no per-app state (handlers reach the
    runtime through ``request.app``)."""
    router = APIRouter()
    router.include_router(server_v1_router())
    router.include_router(sdk_v1_router())
    router.include_router(webhooks_admin.router)
    return (*router.routes, *console.routes())


@contextmanager
def running(app: FastAPI) -> Iterator[Runtime]:
    """Open the app's runtime (as its lifespan does) and close it on exit."""
    with Runtime.open(app.state.settings) as runtime:
        app.state.runtime = runtime
        try:
            yield runtime
        finally:
            del app.state.runtime
