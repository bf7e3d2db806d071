"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), with their assets served from the wheel.

The assets are vendored under ``static/vendor`` (see the README there), so the pages work
without a network; FastAPI's own page builders only get local URLs.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import HTMLResponse

#: Where the console's static files are served (``static/`` of this package).
STATIC = "/static"
_SWAGGER = f"{STATIC}/vendor/swagger-ui"
_REDOC = f"{STATIC}/vendor/redoc"
#: What both pages are built from.
_PAGE: dict[str, Any] = {"openapi_url": "/openapi.json", "title": "Kraty Local API"}

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    """Swagger UI on ``/openapi.json``; "Authorize" takes a server key."""
    return get_swagger_ui_html(
        **_PAGE,
        swagger_js_url=f"{_SWAGGER}/swagger-ui-bundle.js",
        swagger_css_url=f"{_SWAGGER}/swagger-ui.css",
        swagger_favicon_url=f"{_SWAGGER}/favicon-32x32.png",
        # No online validator badge: it would send the document to a public service.
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
    )


@router.get("/redoc")
def redoc() -> HTMLResponse:
    """ReDoc on ``/openapi.json``, with the system fonts (no web fonts)."""
    return get_redoc_html(
        **_PAGE,
        redoc_js_url=f"{_REDOC}/redoc.standalone.js",
        redoc_favicon_url=f"{_SWAGGER}/favicon-32x32.png",
        with_google_fonts=False,
    )
