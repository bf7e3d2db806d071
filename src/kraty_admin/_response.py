"""What ``kraty.with_raw_response`` returns: the final HTTP answer beside the usual value."""

from __future__ import annotations

from typing import Generic, TypeVar

from kraty_admin import _http

T = TypeVar("T")


class RawResponse(Generic[T]):
    """The final response of a call: status, headers, request id, replay flag and attempts.

    ``parse()`` gives the value the plain method would have returned. Error answers still
    raise the usual :class:`~kraty_admin.KratyServerError`, whose ``request_id`` names them.
    """

    __slots__ = ("_value", "attempts", "headers", "status_code")

    def __init__(self, response: _http.Response, attempts: int, value: T) -> None:
        self.status_code: int = response.status_code
        self.headers: _http.Headers = response.headers
        self.attempts: int = attempts
        self._value = value

    @property
    def request_id(self) -> str | None:
        """The server's ``X-Request-Id`` for the final attempt."""
        value: str | None = self.headers.get("X-Request-Id")
        return value

    @property
    def replayed(self) -> bool:
        """Whether the server replayed an earlier answer (``Idempotent-Replayed: true``)."""
        value: str = self.headers.get("Idempotent-Replayed", "")
        return value.lower() == "true"

    def parse(self) -> T:
        """The decoded value, exactly what the plain method returns."""
        return self._value

    def __repr__(self) -> str:
        return (
            f"<RawResponse status_code={self.status_code} request_id={self.request_id!r} "
            f"replayed={self.replayed} attempts={self.attempts}>"
        )
