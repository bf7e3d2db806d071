"""``kraty.with_raw_response``: every resource again, its methods returning a RawResponse."""

from __future__ import annotations

from typing import TypeVar

from kraty_admin._resources._namespaces import Namespaces

R = TypeVar("R")


class RawResponses(Namespaces[R]):
    """The client's resources bound to a sender that returns :class:`RawResponse` objects.

    ``kraty.with_raw_response.wallet.credit(...)`` makes the same call as
    ``kraty.wallet.credit(...)`` and returns the final response (status, headers, request id,
    replay flag, attempts) with ``.parse()`` for the value. The bulk imports
    (``migrate.*_all``) are not offered here; the batch endpoints are.
    """

    def __init__(self, sender: R) -> None:
        self._sender = sender

    def _resource_sender(self) -> R:
        return self._sender
