"""A client of Kraty Local's ``/_local/webhooks`` admin routes, for the webhook commands.

Plain calls go through ``KratyAdmin.request`` (auth, typed errors); the attempt stream is read
with the same HTTP client, as Server-Sent Events. Errors become ``click`` exceptions.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import click

from kraty_admin import KratyAdmin, KratyError, KratyNetworkError, RetryConfig, _http
from kraty_admin._core import Call, decode, sdk_headers

#: Where ``kraty-admin local serve`` listens by default.
LOCAL_BASE_URL = "http://127.0.0.1:8787"
_ADMIN_PATH = "/_local/webhooks"
# One try: registering an endpoint twice would leave a stray one behind.
_ONE_TRY = RetryConfig(attempts=1)
#: A stream silent this long (no event, no heartbeat) is taken for lost. Kraty Local sends a
#: heartbeat every 15 s by default.
STREAM_SILENCE_SECONDS = 45.0


@dataclass(frozen=True)
class ServerEvent:
    """One Server-Sent Event: its name and its JSON ``data``."""

    name: str
    data: Any


def server_events(lines: Iterable[str]) -> Iterator[ServerEvent]:
    """Parse a ``text/event-stream`` body, line by line (comments, ``id`` and ``retry`` are
    skipped; every event of Kraty Local carries JSON data)."""
    name, data = "message", list[str]()
    for line in lines:
        if not line:
            if data:
                yield ServerEvent(name, json.loads("\n".join(data)))
            name, data = "message", []
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)


class LocalAdmin:
    """Kraty Local's webhook admin routes (see the module doc)."""

    def __init__(self, base_url: str | None, api_key: str | None) -> None:
        """Point at ``base_url`` (default: the local server) with the server key."""
        if not api_key:
            raise click.UsageError("no API key: pass --api-key or set KRATY_SERVER_KEY")
        self.base_url = (base_url or LOCAL_BASE_URL).rstrip("/")
        self._http = _http.Client(headers=sdk_headers(api_key))
        try:
            self._kraty = KratyAdmin(
                api_key,
                base_url=self.base_url,
                timeout=10.0,
                retry=_ONE_TRY,
                http_client=self._http,
            )
        except ValueError as exc:
            self._http.close()
            raise click.UsageError(str(exc)) from None

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def deliveries(self, **filters: str | int | None) -> list[dict[str, Any]]:
        """``GET /deliveries`` with the non-None ``filters`` as query parameters."""
        params = {k: v for k, v in filters.items() if v is not None}
        rows: list[dict[str, Any]] = self._call("GET", "/deliveries", params=params)
        return rows

    def redeliver(self, event_id: str) -> dict[str, Any]:
        """Queue an event again for every endpoint of its game."""
        answer: dict[str, Any] = self._call("POST", f"/events/{quote(event_id, safe='')}/redeliver")
        return answer

    def endpoints(self) -> list[dict[str, Any]]:
        """The temporary endpoints (without secrets)."""
        rows: list[dict[str, Any]] = self._call("GET", "/endpoints")
        return rows

    def add_endpoint(self, url: str, game_id: str | None, secret: str) -> dict[str, Any]:
        """Register a temporary endpoint signing with ``secret``; the answer holds its ``id``."""
        body = {"url": url, "secret": secret}
        if game_id is not None:
            body["gameId"] = game_id
        endpoint: dict[str, Any] = self._call("POST", "/endpoints", body=body)
        return endpoint

    def remove_endpoint(self, endpoint_id: str) -> None:
        """Remove a temporary endpoint."""
        self._call("DELETE", f"/endpoints/{quote(endpoint_id, safe='')}")

    def attempts(self, endpoint_id: str) -> Generator[ServerEvent, None, None]:
        """The endpoint's attempt stream, event by event, until the server ends it."""
        path = f"{_ADMIN_PATH}/endpoints/{quote(endpoint_id, safe='')}/attempts/stream"
        timeout = _http.Timeout(10.0, read=STREAM_SILENCE_SECONDS)
        headers = {"Accept": "text/event-stream"}
        try:
            with self._http.stream(
                "GET", self.base_url + path, headers=headers, timeout=timeout
            ) as response:
                if response.status_code != 200:
                    decode(Call.get(path), response.status_code, response.read(), response.headers)
                yield from server_events(response.iter_lines())
        except _http.HTTPError as exc:
            raise click.ClickException(
                f"lost the stream from Kraty Local at {self.base_url}: {type(exc).__name__}"
            ) from None
        except KratyError as exc:
            raise click.ClickException(str(exc)) from None

    def _call(
        self,
        method: Literal["GET", "POST", "DELETE"],
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        try:
            answer = self._kraty.request(method, _ADMIN_PATH + path, body=body, params=params)
        except KratyNetworkError as exc:
            raise click.ClickException(
                f"cannot reach Kraty Local at {self.base_url}: {exc.original_cause}"
            ) from None
        except KratyError as exc:
            raise click.ClickException(str(exc)) from None
        return answer["data"]
