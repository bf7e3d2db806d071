"""The transactional webhook outbox: events are written in the same transaction as the change.

With the event go its deliveries, one per endpoint the game has at that moment, so what commits
with the change is exactly what will be sent. Delivery (signing, retries with backoff,
dead-lettering) is the dispatcher's job (:mod:`kraty_local.webhooks`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from kraty_local.store.queries import insert_into
from kraty_local.store.schema import webhook_outbox
from kraty_local.timefmt import iso
from kraty_local.webhooks import deliveries
from kraty_local.world import Game


def emit(
    conn: Connection,
    *,
    game: Game,
    event_name: str,
    data: dict[str, Any],
    now: datetime,
) -> str:
    """Queue one webhook event and its deliveries; return its id (stable across redeliveries).

    An event of a game without endpoints is settled at once (delivered to nobody).
    """
    event_id = str(uuid.uuid4())
    payload = {
        "id": event_id,
        "eventName": event_name,
        "createdAt": iso(now),
        "studioId": game.studio_id,
        "gameId": game.id,
        "data": data,
    }
    urls = deliveries.endpoint_urls(conn, game)
    conn.execute(
        insert_into(webhook_outbox),
        {
            "id": event_id,
            "studio_id": game.studio_id,
            "game_id": game.id,
            "event_name": event_name,
            "payload": payload,
            "created_at": now,
            "status": deliveries.PENDING if urls else deliveries.DELIVERED,
            "attempts": 0,
            "next_attempt_at": now,
            "delivered_to": [],
            "delivered_at": None if urls else now,
        },
    )
    deliveries.enqueue(
        conn,
        event_id=event_id,
        game_id=game.id,
        urls=urls,
        ordering_key=deliveries.ordering_key(data),
        now=now,
    )
    return event_id
