"""What a receiver gets: the exact body bytes and the signed headers of one delivery attempt.

The signature is :func:`kraty_admin.sign_webhook`'s, so the SDK's ``verify_webhook`` is the
reference check of everything Kraty Local sends.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kraty_admin import sign_webhook
from kraty_admin._version import __version__

USER_AGENT = f"Kraty-Local-Webhooks/{__version__}"


def encode_body(payload: dict[str, Any]) -> bytes:
    """The event as compact UTF-8 JSON; the same bytes on every redelivery."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def delivery_headers(
    body: bytes,
    secrets: Sequence[str],
    *,
    at: datetime,
    event_id: str,
    event_name: str,
    attempt: int,
) -> dict[str, str]:
    """Headers of one attempt: one ``v1`` signature per active secret, timestamped ``at``."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Signature": sign_webhook(body, list(secrets), timestamp=at),
        "X-Kraty-Event-Id": event_id,
        "X-Kraty-Event-Name": event_name,
        "X-Kraty-Delivery-Attempt": str(attempt),
    }
