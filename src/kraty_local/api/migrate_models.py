"""Request bodies of ``POST /migrate/{players,wallet,inventory}``.

The batch body is validated as a whole (``rows`` must hold 1 to 1,000 entries, else ``400``),
but each row is validated on its own, so a bad row fails alone in the answer's ``failures``
while the rest apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import Field, ValidationError

from kraty_local.api.models import Amount, Body
from kraty_local.api.strings import (
    CALLER_KEY_LENGTH,
    ExternalPlayerId,
    IdempotencyKey,
    JsonObject,
    Key,
    Text,
)
from kraty_local.domain.text import id_problem
from kraty_local.services.migration import MigrationRow, failure
from kraty_local.store.schema import EXTERNAL_ID
from kraty_local.wire import MigrationFailure

MAX_ROWS = 1000


class MigrateBatchIn(Body):
    """A batch of rows, each checked later by its row model.

    ``idempotencyKey`` is accepted (every SDK POST carries one) but not stored: each row is
    idempotent on its own key, so re-sending a batch skips what it applied the first time.
    """

    rows: Annotated[list[Any], Field(min_length=1, max_length=MAX_ROWS)]
    idempotencyKey: IdempotencyKey | None = None


class RowIn(Body):
    """What every row carries."""

    externalPlayerId: ExternalPlayerId
    idempotencyKey: IdempotencyKey

    def to_row(self, index: int) -> MigrationRow:
        """The service's view of this row at position ``index``."""
        raise NotImplementedError

    @staticmethod
    def plain_row(raw: dict[str, Any], index: int) -> MigrationRow | None:
        """This row at ``index`` without the model (a batch holds a thousand), when it has the
        common shape and plainly passes the model's rules; None: let the model decide."""
        return None


class PlayerRowIn(RowIn):
    """A player to create, or whose last context snapshot to update."""

    contextSnapshot: JsonObject | None = None

    def to_row(self, index: int) -> MigrationRow:
        """The service's view of this row at position ``index``."""
        return MigrationRow(
            index,
            self.externalPlayerId,
            self.idempotencyKey,
            context_snapshot=self.contextSnapshot,
        )

    @staticmethod
    def plain_row(raw: dict[str, Any], index: int) -> MigrationRow | None:
        """This row at ``index`` without the model, when it holds just its two ids."""
        if raw.keys() == _PLAYER_KEYS:
            external_id, key = raw["externalPlayerId"], raw["idempotencyKey"]
            if _plain_id(external_id, EXTERNAL_ID.length) and _plain_id(key, CALLER_KEY_LENGTH):
                return MigrationRow(index, external_id, key)
        return None


class WalletRowIn(RowIn):
    """A balance to add to a player's wallet (the player is created if missing)."""

    economyKey: Key
    amount: Amount
    reason: Text | None = None

    def to_row(self, index: int) -> MigrationRow:
        """The service's view of this row at position ``index``."""
        return MigrationRow(
            index,
            self.externalPlayerId,
            self.idempotencyKey,
            self.economyKey,
            self.amount,
            self.reason,
        )


class InventoryRowIn(RowIn):
    """A quantity to add to a player's inventory (the player is created if missing)."""

    itemKey: Key
    quantity: Amount
    parameters: JsonObject | None = None
    reason: Text | None = None

    def to_row(self, index: int) -> MigrationRow:
        """The service's view of this row at position ``index``."""
        return MigrationRow(
            index,
            self.externalPlayerId,
            self.idempotencyKey,
            self.itemKey,
            self.quantity,
            self.reason,
            self.parameters,
        )


_PLAYER_KEYS = {"externalPlayerId", "idempotencyKey"}


def _plain_id(value: Any, cap: int | None) -> bool:
    """Whether ``value`` passes the rules of an id field of at most ``cap`` characters."""
    if type(value) is not str or not value or (cap is not None and len(value) > cap):
        return False
    return id_problem(value) is None


def _echoable(external_id: Any) -> str | None:
    """The row's ``externalPlayerId`` when it is a usable id (the answer echoes it), else None."""
    if isinstance(external_id, str) and id_problem(external_id) is None:
        return external_id
    return None


def parse_rows(
    model: type[RowIn], rows: Sequence[Any]
) -> tuple[list[MigrationRow], list[MigrationFailure]]:
    """Validate each row alone: the valid ones, and a ``validation_failed`` failure per bad one."""
    valid, failures = [], []
    plain_row = model.plain_row
    for index, raw in enumerate(rows):
        row = plain_row(raw, index) if type(raw) is dict else None
        if row is not None:
            valid.append(row)
            continue
        try:
            valid.append(model.model_validate(raw).to_row(index))
        except ValidationError as exc:
            external_id = raw.get("externalPlayerId") if isinstance(raw, dict) else None
            problems = "; ".join(
                f"{'.'.join(str(part) for part in err['loc']) or 'row'}: {err['msg']}"
                for err in exc.errors()
            )
            failures.append(
                failure(
                    index,
                    _echoable(external_id),
                    "validation_failed",
                    problems,
                )
            )
    return valid, failures
