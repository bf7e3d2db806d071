"""uvicorn's HTTP/1.1 protocol (h11), answering malformed HTTP with the JSON error envelope.

h11 refuses a bad request line, a NUL or other forbidden byte in a header, or a head larger
than ``h11_max_incomplete_event_size`` (16 KiB by default) before any app sees the request;
uvicorn then writes a plain-text 400. This protocol writes ``400 validation_failed`` in the
envelope instead (with a fresh request id), then closes the connection as uvicorn does.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from kraty_local.errors import envelope
from kraty_local.request_ids import HEADER, request_id_for

#: Set to True in ``scope["state"]`` by a response that streams until the client leaves (SSE).
ENDLESS_STREAM = "kraty.endless_stream"


class EnvelopeH11Protocol(H11Protocol):
    """``uvicorn.Config(http=EnvelopeH11Protocol)``: h11 with enveloped protocol errors, and
    endless streams cut when the server stops."""

    def shutdown(self) -> None:
        """Start a graceful shutdown; an endless stream is closed as if its client had left.

        uvicorn waits for responses in flight before stopping, and an endless stream never
        ends by itself: its generator is cancelled instead, and the client sees the connection
        close.
        """
        state = self.scope.get("state", {}) if self.cycle is not None else {}
        if state.get(ENDLESS_STREAM) and not self.cycle.response_complete:
            self.transport.close()
        else:
            super().shutdown()

    def send_400_response(self, msg: str) -> None:
        """Answer a request h11 could not parse with the error envelope, and close."""
        request_id = request_id_for(None)
        error = envelope(
            "validation_failed",
            "Malformed HTTP request.",
            [{"field": "request", "message": msg}],
        )
        error["error"]["requestId"] = request_id
        body = json.dumps(error).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (HEADER.encode(), request_id.encode()),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()
