"""Players rows of the common shape skip the row model (``plain_row``): whatever it accepts, the
model accepts with the same result, and whatever the model refuses it leaves to the model."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from kraty_local.api.migrate_models import PlayerRowIn, RowIn

LONG_ID = "p" * 512
PLAYERS: list[Any] = [
    {"externalPlayerId": "p1", "idempotencyKey": "k1"},
    {"externalPlayerId": LONG_ID, "idempotencyKey": "k" * 255},
    {"externalPlayerId": LONG_ID + "p", "idempotencyKey": "k"},
    {"externalPlayerId": "p", "idempotencyKey": "k" * 256},
    {"externalPlayerId": "", "idempotencyKey": "k"},
    {"externalPlayerId": "p\x85", "idempotencyKey": "k"},
    {"externalPlayerId": "p\ud800", "idempotencyKey": "k"},
    {"externalPlayerId": "p", "idempotencyKey": "k\x00"},
    {"externalPlayerId": 7, "idempotencyKey": "k"},
    {"externalPlayerId": "p ü 🎮", "idempotencyKey": "k\u00a0"},
    {"externalPlayerId": "p", "idempotencyKey": "k", "extra": 1},
    {"externalPlayerId": "p"},
]


def model_row(model: type[RowIn], raw: Any, index: int) -> Any:
    try:
        return model.model_validate(raw).to_row(index)
    except ValidationError:
        return None


@pytest.mark.parametrize(
    ("model", "raw"),
    [(PlayerRowIn, raw) for raw in PLAYERS],
)
def test_a_plain_row_is_what_the_model_makes_of_it(model: type[RowIn], raw: Any) -> None:
    plain = model.plain_row(raw, 3)
    if plain is not None:
        assert plain == model_row(model, raw, 3)


def test_the_common_shapes_take_the_plain_path() -> None:
    assert PlayerRowIn.plain_row(PLAYERS[0], 0) is not None
    accepted = sum(PlayerRowIn.plain_row(raw, 0) is not None for raw in PLAYERS)
    assert accepted == sum(model_row(PlayerRowIn, raw, 0) is not None for raw in PLAYERS)
