"""Console sign-in: signed, stateless session cookies and CSRF tokens.

Signing in checks a server key exactly as the API does (``KeyRing.authenticate``) and keeps
only its prefix: the cookie is ``<prefix>.<nonce>.<issued>.<mac>``, an HMAC-SHA256 under a
secret derived from the server's start-up key, so every worker of ``local serve --workers``
accepts it and a database with another start-up key ends every session. The key itself is never
stored, shown, or put in a URL. Every form carries a CSRF token derived from the session's nonce
(before sign-in, from a nonce cookie of its own); the cookies are ``HttpOnly`` and
``SameSite=Strict``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from kraty_local.auth import Principal
from kraty_local.runtime import Runtime, runtime_of
from kraty_local.world import SERVER_INTEGRATION

#: The session cookie.
COOKIE = "kraty_console"
#: The nonce cookie of the sign-in form's CSRF token.
SIGN_IN_COOKIE = "kraty_console_sign_in"
#: How long a session lasts, in seconds.
LIFETIME = 12 * 3600


@dataclass(frozen=True)
class Session:
    """A signed-in console user: the key's principal and the CSRF token of their forms."""

    principal: Principal
    csrf: str


def _secret(runtime: Runtime) -> bytes:
    return hashlib.sha256(b"kraty-local console\0" + runtime.server_key.encode()).digest()


def _mac(runtime: Runtime, *parts: str) -> str:
    message = "\0".join(parts).encode()
    return hmac.new(_secret(runtime), message, hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    # Bytes: compare_digest refuses str holding non-ASCII, which a forged cookie may.
    return hmac.compare_digest(given.encode(), expected.encode())


def _set(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def start(request: Request, response: Response, principal: Principal) -> None:
    """Sign ``principal`` in: set the session cookie on ``response``, drop the sign-in nonce."""
    runtime = runtime_of(request.app)
    nonce, issued = secrets.token_urlsafe(16), str(int(time.time()))
    mac = _mac(runtime, "session", principal.prefix, nonce, issued)
    _set(request, response, COOKIE, f"{principal.prefix}.{nonce}.{issued}.{mac}", LIFETIME)
    _set(request, response, SIGN_IN_COOKIE, "", 0)


def end(request: Request, response: Response) -> None:
    """Sign out: clear the session cookie."""
    _set(request, response, COOKIE, "", 0)


def current(request: Request) -> Session | None:
    """The request's session: a cookie signed here, not expired, for a key still known."""
    runtime = runtime_of(request.app)
    try:
        prefix, nonce, issued, mac = request.cookies.get(COOKIE, "").rsplit(".", 3)
        age = time.time() - int(issued)
    except ValueError:
        return None
    expected = _mac(runtime, "session", prefix, nonce, issued)
    if not _same(mac, expected) or not 0 <= age <= LIFETIME:
        return None
    principal = runtime.keyring.principal(prefix)
    if principal is None or principal.permission_set != SERVER_INTEGRATION:
        return None
    return Session(principal, _mac(runtime, "csrf", nonce))


def sign_in_nonce(request: Request) -> str:
    """This browser's sign-in nonce (from its cookie), or a new one."""
    return request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(16)


def sign_in_token(request: Request, nonce: str) -> str:
    """The CSRF token of the sign-in form for ``nonce``."""
    return _mac(runtime_of(request.app), "sign-in", nonce)


def keep_sign_in_nonce(request: Request, response: Response, nonce: str) -> None:
    """Set the sign-in nonce cookie on ``response``."""
    _set(request, response, SIGN_IN_COOKIE, nonce, LIFETIME)


def sign_in_token_ok(request: Request, token: str) -> bool:
    """Whether ``token`` is the sign-in form's token for this browser's nonce cookie."""
    nonce = request.cookies.get(SIGN_IN_COOKIE)
    if not nonce:
        return False
    return _same(token, sign_in_token(request, nonce))


def csrf_ok(session: Session, token: str) -> bool:
    """Whether ``token`` is this session's CSRF token."""
    return _same(token, session.csrf)
