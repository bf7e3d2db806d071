"""``kraty.with_raw_response``: every resource again, its methods returning a RawResponse."""

from __future__ import annotations

from typing import Generic, TypeVar

from kraty_admin._resources import (
    Events,
    Grants,
    Health,
    Inventory,
    Leaderboards,
    Lobbies,
    Migrate,
    Players,
    Wallet,
)

R = TypeVar("R")


class RawResponses(Generic[R]):
    """The client's resources bound to a sender that returns :class:`RawResponse` objects.

    ``kraty.with_raw_response.wallet.credit(...)`` makes the same call as
    ``kraty.wallet.credit(...)`` and returns the final response (status, headers, request id,
    replay flag, attempts) with ``.parse()`` for the value. The bulk imports
    (``migrate.*_all``) are not offered here; the batch endpoints are.
    """

    def __init__(self, sender: R) -> None:
        self.grants = Grants(sender)
        self.inventory = Inventory(sender)
        self.wallet = Wallet(sender)
        self.lobbies = Lobbies(sender)
        self.players = Players(sender)
        self.migrate = Migrate(sender)
        self.health = Health(sender)
        self.leaderboards = Leaderboards(sender)
        self.events = Events(sender)
