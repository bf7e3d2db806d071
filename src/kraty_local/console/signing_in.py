"""``/`` and signing in and out of the console with a server key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from kraty_local.console import session as sessions
from kraty_local.console.web import Action, action, form_fields, render, see_other
from kraty_local.domain.errors import DomainError
from kraty_local.domain.text import id_problem
from kraty_local.runtime import runtime_of

router = APIRouter(include_in_schema=False)
#: Where a signed-in user lands.
HOME = "/players"


@router.get("/")
def index(request: Request) -> Response:
    """The console's home when signed in, else the sign-in page."""
    return see_other(HOME if sessions.current(request) else "/sign-in")


def _sign_in_page(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    nonce = sessions.sign_in_nonce(request)
    csrf = sessions.sign_in_token(request, nonce)
    page = render(request, "sign_in.html", None, status=status, error=error, csrf=csrf)
    sessions.keep_sign_in_nonce(request, page, nonce)
    return page


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    """The sign-in form (signed in already: home)."""
    if sessions.current(request):
        return see_other(HOME)
    return _sign_in_page(request)


@router.post("/sign-in")
def sign_in(request: Request, fields: Annotated[dict[str, str], Depends(form_fields)]) -> Response:
    """Check the key as the API does; a session cookie on success, the form again otherwise."""
    if not sessions.sign_in_token_ok(request, fields.get("csrf", "")):
        return _sign_in_page(request, status=403, error="The form expired; sign in again.")
    key = fields.get("key", "").strip()
    problem = id_problem(key)
    if problem or not key:
        return _sign_in_page(request, status=400, error=f"key: {problem or 'required'}")
    try:
        principal = runtime_of(request.app).keyring.authenticate(f"Bearer {key}")
    except DomainError as err:
        return _sign_in_page(request, status=401, error=f"That key was refused: {err.message}")
    response = see_other(HOME)
    sessions.start(request, response, principal)
    return response


@router.post("/sign-out")
def sign_out(request: Request, submitted: Annotated[Action, Depends(action)]) -> Response:
    """End the session."""
    response = see_other("/sign-in")
    sessions.end(request, response)
    return response
