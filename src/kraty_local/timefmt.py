"""The one timestamp format on the wire: ISO 8601, UTC, millisecond precision, ``Z`` suffix."""

from __future__ import annotations

from datetime import datetime, timezone


def iso(value: datetime) -> str:
    """``2030-01-01T00:00:00.000Z``."""
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_or_none(value: datetime | None) -> str | None:
    """:func:`iso`, passing ``None`` through."""
    return None if value is None else iso(value)
