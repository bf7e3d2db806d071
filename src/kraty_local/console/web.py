"""What every console page shares: templates, security headers, sessions, forms and errors.

Input goes through the API's own types (``api.strings``, the API's request bodies), so the
console refuses what the API refuses, with the same messages, as a page saying what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from kraty_local.console import session as sessions
from kraty_local.console.session import Session
from kraty_local.domain.errors import DomainError
from kraty_local.errors import ApiError, api_error, field_path

M = TypeVar("M", bound=BaseModel)
V = TypeVar("V")

#: Most fields a console form has; more is not a console form.
_MAX_FIELDS = 20
_FORM_TYPE = "application/x-www-form-urlencoded"

#: Every page: no framing, scripts and styles only from the wheel, nothing cached or referred.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_templates = Environment(
    loader=PackageLoader("kraty_local.console", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class SignInRequired(Exception):
    """The page needs a session and the request has none (answered with the sign-in page)."""


class InputError(Exception):
    """Input the console refuses; ``status`` is 400 (bad input) or 403 (a form not from here)."""

    def __init__(self, message: str, status: int = 400) -> None:
        """Say what is wrong."""
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Action:
    """A signed-in form submission whose CSRF token checked out."""

    session: Session
    fields: dict[str, str]

    def field(self, name: str) -> str:
        """The submitted value of ``name`` (empty when absent)."""
        return self.fields.get(name, "")


def render(
    request: Request,
    template: str,
    session: Session | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` with ``context``, the session (for the navigation and CSRF
    tokens) and the security headers."""
    html = _templates.get_template(template).render(
        session=session, path=request.url.path, **context
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def see_other(url: str) -> RedirectResponse:
    """Post/redirect/get: a ``303`` to ``url``."""
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


def signed_in(request: Request) -> Session:
    """The request's session (a dependency); ``SignInRequired`` without one."""
    session = sessions.current(request)
    if session is None:
        raise SignInRequired
    return session


async def form_fields(request: Request) -> dict[str, str]:
    """The URL-encoded form of a POST, strictly decoded (``InputError`` if it is not one)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != _FORM_TYPE:
        raise InputError(f"Expected a form ({_FORM_TYPE}).")
    body = await request.body()
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            strict_parsing=bool(body),
            errors="strict",
            max_num_fields=_MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise InputError("The form is not URL-encoded UTF-8 text.") from None
    return dict(pairs)


async def action(request: Request) -> Action:
    """A signed-in form submission with its CSRF token checked (a dependency)."""
    session = signed_in(request)
    fields = await form_fields(request)
    if not sessions.csrf_ok(session, fields.get("csrf", "")):
        raise InputError("This form did not come from this console session; reload it.", 403)
    return Action(session, fields)


def _message(err: ValidationError) -> str:
    return "; ".join(
        f"{field_path(e['loc'])}: {e['msg']}" if e["loc"] else str(e["msg"]) for e in err.errors()
    )


def validated(model: type[M], **values: Any) -> M:
    """``values`` as the API's request body ``model``, or ``InputError`` naming the fields."""
    try:
        return model.model_validate(values)
    except ValidationError as err:
        raise InputError(_message(err)) from None


def checked(kind: Any, value: str, name: str) -> str:
    """``value`` checked as the API type ``kind`` (``api.strings``), or ``InputError``."""
    try:
        return str(TypeAdapter(kind).validate_python(value))
    except ValidationError as err:
        raise InputError(f"{name}: {err.errors()[0]['msg']}") from None


def required(value: str, name: str) -> str:
    """``value``, or ``InputError`` when it is blank."""
    if not value.strip():
        raise InputError(f"{name}: required")
    return value


#: What a console page shows as a refusal: its own input errors, the services' domain errors,
#: and the API errors an idempotent call stored (replayed as they were first answered).
REFUSALS = (InputError, DomainError, ApiError)
Refusal = InputError | DomainError | ApiError


def refusal(err: Refusal) -> tuple[int, str]:
    """The status and message of a refusal: the console's own, or the API's for ``err``."""
    if isinstance(err, DomainError):
        err = api_error(err)
    return err.status, err.message


async def on_sign_in_required(_request: Request, _exc: Exception) -> Response:
    """Send the browser to the sign-in page."""
    return see_other("/sign-in")


async def on_input_error(request: Request, exc: Exception) -> Response:
    """A page saying what was wrong with the input."""
    assert isinstance(exc, InputError)
    session = sessions.current(request)
    return render(request, "error.html", session, status=exc.status, error=exc.message)
