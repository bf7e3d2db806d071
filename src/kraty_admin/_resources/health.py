"""``kraty.health``: check the key and the connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from kraty_admin._core import Call, path
from kraty_admin._resources._endpoint import Resource, endpoint

if TYPE_CHECKING:
    from kraty_admin.types import Ping

S = TypeVar("S")


def _ping() -> Call[Ping]:
    """Check connectivity; describes the API key in use (never its secret)."""
    return Call.get(path("ping"), enveloped=False)


class Health(Resource[S]):
    """Health: ``ping``."""

    ping = endpoint(_ping)
