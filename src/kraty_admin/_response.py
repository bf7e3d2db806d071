"""What ``kraty.with_raw_response`` returns: the final HTTP answer, its body parsed on demand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar, cast

from kraty_admin import _http

T = TypeVar("T")

_UNPARSED = object()


class RawResponse(Generic[T]):
    """The final response of a call: status, headers, request id, replay flag and attempts.

    A call that ends with an error answer raises the usual
    :class:`~kraty_admin.KratyServerError` (whose ``request_id`` names it) instead of returning
    one. ``parse()`` reads the successful body: it unwraps the value the plain method would
    have returned, raising :class:`~kraty_admin.KratyServerError` if the body is not the JSON
    the API promises; the value is parsed once and the same object returned on every call.
    """

    __slots__ = ("_decode", "_value", "attempts", "headers", "status_code")

    def __init__(self, response: _http.Response, attempts: int, decode: Callable[[], T]) -> None:
        self.status_code: int = response.status_code
        self.headers: _http.Headers = response.headers
        self.attempts: int = attempts
        self._decode = decode
        self._value: object = _UNPARSED

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
        """The value the plain method returns, parsed from the body on the first call."""
        if self._value is _UNPARSED:
            self._value = self._decode()
        return cast(T, self._value)

    def __repr__(self) -> str:
        return (
            f"<RawResponse status_code={self.status_code} request_id={self.request_id!r} "
            f"replayed={self.replayed} attempts={self.attempts}>"
        )
