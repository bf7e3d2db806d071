"""Request body of ``POST /games/{gameId}/events/{eventKey}/lobbies``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, model_validator

from kraty_local.api.models import Body
from kraty_local.api.strings import CallerKey, ExternalPlayerId, IdempotencyKey, JsonObject

#: Most seats a pushed lobby may have.
MAX_LOBBY_CAPACITY = 100

Capacity = Annotated[StrictInt, Field(ge=1, le=MAX_LOBBY_CAPACITY)]


class LobbyPushIn(Body):
    """A lobby matched outside Kraty; its ``key`` is the idempotency key.

    ``idempotencyKey`` is accepted (every SDK POST carries one) but not used: a lobby is
    idempotent on ``key`` for its whole life instead.
    """

    key: CallerKey
    externalPlayerIds: Annotated[
        list[ExternalPlayerId], Field(min_length=1, max_length=MAX_LOBBY_CAPACITY)
    ]
    capacity: Capacity | None = None
    fillBots: StrictBool | None = None
    metadata: JsonObject | None = None
    idempotencyKey: IdempotencyKey | None = None

    @model_validator(mode="after")
    def _seats(self) -> LobbyPushIn:
        if len(set(self.externalPlayerIds)) != len(self.externalPlayerIds):
            raise ValueError("externalPlayerIds lists a player more than once")
        if self.capacity is not None and len(self.externalPlayerIds) > self.capacity:
            raise ValueError(
                f"{len(self.externalPlayerIds)} players do not fit a capacity of {self.capacity}"
            )
        return self
