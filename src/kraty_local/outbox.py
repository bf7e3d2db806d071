"""The transactional webhook outbox: events are written in the same transaction as the change.

Delivery (signing, retries with backoff, dead-lettering) is the dispatcher's job; this module only
records what happened.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from kraty_local.store.schema import webhook_outbox
from kraty_local.timefmt import iso


def emit(
    conn: Connection,
    *,
    studio_id: str,
    game_id: str,
    event_name: str,
    data: dict[str, Any],
    now: datetime,
) -> str:
    """Queue one webhook event and return its id (stable across redeliveries)."""
    event_id = str(uuid.uuid4())
    payload = {
        "id": event_id,
        "eventName": event_name,
        "createdAt": iso(now),
        "studioId": studio_id,
        "gameId": game_id,
        "data": data,
    }
    conn.execute(
        webhook_outbox.insert().values(
            id=event_id,
            studio_id=studio_id,
            game_id=game_id,
            event_name=event_name,
            payload=payload,
            created_at=now,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            delivered_to=[],
        )
    )
    return event_id
