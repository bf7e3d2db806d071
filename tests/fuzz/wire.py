"""Requests sent byte for byte (no URL normalization), and what an answer must look like."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from kraty_local.api_sdk import SDK_PREFIX


@dataclass(frozen=True)
class Answer:
    """Status and parsed body (``None`` when the body is not JSON)."""

    status: int
    body: Any


class RawClient:
    """A keep-alive HTTP/1.1 client that puts ``path`` on the request line unchanged."""

    def __init__(
        self, host: str, port: int, api_key: str, sdk_headers: dict[str, str] | None = None
    ) -> None:
        """Connect lazily to ``host:port``, authenticating with ``api_key`` (and with
        ``sdk_headers`` on ``/sdk/v1``)."""
        self._conn = http.client.HTTPConnection(host, port, timeout=60)
        self._auth = {"Authorization": f"Bearer {api_key}"}
        self._sdk_auth = sdk_headers or self._auth

    def send(self, method: str, path: str, body: Any = None) -> Answer:
        """Send ``body`` as JSON (ASCII-escaped, so lone surrogates travel as ``\\ud800``)."""
        auth = self._sdk_auth if path.startswith(SDK_PREFIX + "/") else self._auth
        headers = {**auth, "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("ascii")
            headers["Content-Type"] = "application/json"
        self._conn.request(method, path, body=payload, headers=headers)
        response = self._conn.getresponse()
        raw = response.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        return Answer(response.status, parsed)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> RawClient:
        """Use as a context manager."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close."""
        self.close()


def problem(answer: Answer) -> str | None:
    """What is wrong with ``answer`` for a bad input: a 5xx, or an error without the envelope."""
    if answer.status >= 500:
        return f"{answer.status}: {answer.body}"
    if answer.status < 400:
        return None
    error = answer.body.get("error") if isinstance(answer.body, dict) else None
    if not isinstance(error, dict) or not {"code", "message", "details"} <= set(error):
        return f"{answer.status} without the error envelope: {answer.body!r}"
    return None
