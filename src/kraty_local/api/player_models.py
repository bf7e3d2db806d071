"""Request bodies of the ``/players/{p}`` administration routes."""

from __future__ import annotations

from typing import Literal

from kraty_local.api.models import IdempotentBody
from kraty_local.api.strings import DisplayName, Text


class DeleteIn(IdempotentBody):
    """Body of ``POST /players/{p}/delete``."""

    reason: Literal["gdpr_erasure", "studio_request", "test"] = "gdpr_erasure"


class BanIn(IdempotentBody):
    """Body of ``POST /players/{p}/ban``."""

    reason: Text


class NoFieldsIn(IdempotentBody):
    """Body of ``unban`` and ``merge-into``: only the idempotency key."""


class IdentityIn(IdempotentBody):
    """Body of ``PUT /players/{p}/identity``."""

    name: DisplayName
    avatar: Text | None = None
