"""The HTTP library of the tests: the one ``kraty_admin._http`` chose, and respx mocking for it.

The SDK and Kraty Local stand on httpx2 on Python 3.11+ and on httpx on 3.10; the tests follow
the same choice through this module, the only one under ``tests/`` that imports either.

- ``http_lib`` is that library's module: clients, ``MockTransport``, ``ASGITransport`` and the
  exceptions a respx side effect raises (they reach the SDK as the library raises them).
- ``mock_http(...)`` is ``respx.mock(...)`` patching that library's connection pools (httpcore
  or httpcore2): requests are seen as they would go on the wire, nothing reaches the network.
- respx itself is written against httpx whatever the client library: its routes take and hand
  side effects ``RespxResponse`` and ``RespxRequest`` (httpx's own classes), never httpx2's.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import httpx
import respx

from kraty_admin._http import LIBRARY

http_lib: ModuleType = importlib.import_module(LIBRARY)

if LIBRARY == "httpx2":
    import pytest_httpx2  # noqa: F401  (registers respx's "httpcore2" mocker)

    MOCKER = "httpcore2"
else:
    MOCKER = "httpcore"

RespxResponse = httpx.Response
RespxRequest = httpx.Request


def mock_http(**options: Any) -> respx.MockRouter:
    """``respx.mock(**options)`` for the client library in use (a context manager)."""
    options.setdefault("using", MOCKER)
    router: respx.MockRouter = respx.mock(**options)
    return router
