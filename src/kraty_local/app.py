"""The FastAPI application factories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from kraty_admin._version import __version__
from kraty_local.api import API_PREFIX, server_v1_router
from kraty_local.errors import install_error_handlers
from kraty_local.middleware import (
    BodyLimitMiddleware,
    CatchAllMiddleware,
    GateMiddleware,
    RawPathMiddleware,
)
from kraty_local.request_ids import RequestIdMiddleware
from kraty_local.runtime import Runtime
from kraty_local.settings import Settings
from kraty_local.webhooks import admin as webhooks_admin


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build a Kraty Local app: opens the database and registers the start-up key.

    The returned app's ``state.runtime`` (:class:`~kraty_local.runtime.Runtime`) holds the
    engine and the server key; call ``app.state.runtime.close()`` when done.
    """
    runtime = Runtime.start(settings or Settings())
    app = FastAPI(
        title="Kraty Local",
        version=__version__,
        description="A stateful local implementation of the Kraty /server/v1 API.",
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(server_v1_router())
    app.include_router(webhooks_admin.router)
    # add_middleware wraps: the last added runs first.
    app.add_middleware(BodyLimitMiddleware, max_bytes=runtime.settings.max_body_bytes)
    app.add_middleware(GateMiddleware, runtime=runtime, prefix=API_PREFIX)
    app.add_middleware(RawPathMiddleware)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app


def create_app_from_env() -> FastAPI:
    """The app of one uvicorn worker process (``kraty_local.app:create_app_from_env``, a factory).

    Settings come from the environment (:meth:`Settings.from_env`); the runtime closes when the
    worker shuts down. Several workers may share one PostgreSQL database.
    """
    app = create_app(Settings.from_env())

    @asynccontextmanager
    async def close_on_shutdown(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.runtime.close()

    app.router.lifespan_context = close_on_shutdown
    return app
