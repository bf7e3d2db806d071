"""``kraty.grants``: mixed grants of currencies, items and crates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from kraty_admin._core import Call, compact, path
from kraty_admin._resources._endpoint import Resource, endpoint

if TYPE_CHECKING:
    from kraty_admin.types import Grant, GrantEntry

S = TypeVar("S")


def _create(
    external_player_id: str,
    idempotency_key: str,
    entries: Sequence[GrantEntry],
    *,
    kind: Literal["reward", "crate"] = "reward",
    expires_at: datetime | str | None = None,
    source_kind: Literal["api", "admin"] = "api",
    source_ref_id: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Call[Grant]:
    """Mint a grant of currencies, items and crates, applied atomically when claimed.

    ``entries`` keep the wire shape (``{"type": "currency", "currencyKey": "gold",
    "amount": 500}``). Replaying the same ``idempotency_key`` returns the original grant.
    """
    body = compact(
        kind=kind,
        entries=[dict(entry) for entry in entries],
        expiresAt=expires_at,
        sourceKind=source_kind,
        sourceRefId=source_ref_id,
        metadata=dict(metadata) if metadata is not None else None,
    )
    return Call.post(path("players", external_player_id, "grants"), body, idempotency_key)


def _ack(
    external_player_id: str, grant_id: str, *, idempotency_key: str | None = None
) -> Call[Grant]:
    """Claim a pending grant server-side (recorded as ``ackedBy='server_api'``)."""
    return Call.post(
        path("players", external_player_id, "grants", grant_id, "ack"), None, idempotency_key
    )


class Grants(Resource[S]):
    """Manual grants: ``create`` (mint) and ``ack`` (server-side claim)."""

    create = endpoint(_create)
    ack = endpoint(_ack)
