"""The HTTP library under the SDK and Kraty Local: httpx2 on Python 3.11+, httpx on 3.10.

httpx2 is the maintained fork of httpx (same design, same names) and needs Python 3.11; the
package's dependency markers install exactly one of the two. This is the only module in
``kraty_admin`` and ``kraty_local`` that imports either: everything else takes the names below
from here, so ``http_client=`` expects a client of :data:`LIBRARY`.
"""

from __future__ import annotations

import sys

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
]
