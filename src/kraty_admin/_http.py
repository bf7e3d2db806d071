"""The HTTP library under the SDK and Kraty Local: httpx2 on Python 3.11+, httpx on 3.10.

httpx2 is the maintained fork of httpx (same design, same names) and needs Python 3.11; the
package's dependency markers install exactly one of the two. This is the only module in
``kraty_admin`` and ``kraty_local`` that imports either: everything else takes the names below
from here, so ``http_client=`` expects a client of :data:`LIBRARY`.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

if sys.version_info >= (3, 11):
    from httpx2 import (
        URL,
        ASGITransport,
        AsyncClient,
        BaseTransport,
        ByteStream,
        Client,
        Headers,
        HTTPError,
        InvalidURL,
        Limits,
        NetworkError,
        RemoteProtocolError,
        Request,
        Response,
        Timeout,
        TimeoutException,
        create_ssl_context,
    )
    from httpx2 import __version__ as VERSION

    LIBRARY = "httpx2"
else:
    from httpx import (
        URL,
        ASGITransport,
        AsyncClient,
        BaseTransport,
        ByteStream,
        Client,
        Headers,
        HTTPError,
        InvalidURL,
        Limits,
        NetworkError,
        RemoteProtocolError,
        Request,
        Response,
        Timeout,
        TimeoutException,
        create_ssl_context,
    )
    from httpx import __version__ as VERSION

    LIBRARY = "httpx"

__all__ = [
    "LIBRARY",
    "URL",
    "VERSION",
    "ASGITransport",
    "AsyncClient",
    "BaseTransport",
    "ByteStream",
    "Client",
    "HTTPError",
    "Headers",
    "InvalidURL",
    "Limits",
    "NetworkError",
    "RemoteProtocolError",
    "Request",
    "Response",
    "Timeout",
    "TimeoutException",
    "default_ssl_context",
]

# The variables the library reads for default verification, with the context built for them.
_SSL_ENV = ("SSL_CERT_FILE", "SSL_CERT_DIR")
_ssl_contexts: dict[tuple[str | None, ...], ssl.SSLContext] = {}
_ssl_lock = threading.Lock()


def default_ssl_context() -> ssl.SSLContext:
    """The SSL context a client of the library builds by default, made once and shared.

    Building one loads the CA certificates (tens of milliseconds), and the library does it for
    every client; the SDK builds its clients with this one instead. It is the library's own
    default context, made again only when ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` (which the
    library honours) change.
    """
    key = tuple(os.environ.get(name) for name in _SSL_ENV)
    with _ssl_lock:
        context = _ssl_contexts.get(key)
        if context is None:
            context = _ssl_contexts[key] = create_ssl_context()
        return context
