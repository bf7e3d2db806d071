"""``kraty.inventory``: grant and revoke items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeVar

from kraty_admin._core import Call, compact, path
from kraty_admin._resources._endpoint import Resource, endpoint

if TYPE_CHECKING:
    from kraty_admin.types import InventoryChange

S = TypeVar("S")


def _change(
    action: Literal["grant", "revoke"],
    external_player_id: str,
    item_key: str,
    quantity: int,
    reason: str | None,
    source_ref_id: str | None,
    idempotency_key: str | None,
) -> Call[InventoryChange]:
    body = compact(quantity=quantity, reason=reason, sourceRefId=source_ref_id)
    route = path("players", external_player_id, "inventory", item_key, action)
    return Call.post(route, body, idempotency_key)


def _grant(
    external_player_id: str,
    item_key: str,
    quantity: int,
    *,
    reason: str | None = None,
    source_ref_id: str | None = None,
    idempotency_key: str | None = None,
) -> Call[InventoryChange]:
    """Add ``quantity`` of ``item_key`` to the player's inventory; returns the new total."""
    return _change(
        "grant", external_player_id, item_key, quantity, reason, source_ref_id, idempotency_key
    )


def _revoke(
    external_player_id: str,
    item_key: str,
    quantity: int,
    *,
    reason: str | None = None,
    source_ref_id: str | None = None,
    idempotency_key: str | None = None,
) -> Call[InventoryChange]:
    """Remove ``quantity`` of ``item_key``; a 409 ``conflict`` if the player holds fewer."""
    return _change(
        "revoke", external_player_id, item_key, quantity, reason, source_ref_id, idempotency_key
    )


class Inventory(Resource[S]):
    """Item holdings: ``grant`` and ``revoke``."""

    grant = endpoint(_grant)
    revoke = endpoint(_revoke)
