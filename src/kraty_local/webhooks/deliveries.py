"""The queries behind webhook delivery: fan-out, claiming, recording, listing, redelivery.

Each outbox event gets one ``webhook_deliveries`` row per endpoint of its game, written in the
transaction that emits the event. The dispatcher claims due rows by moving their
``next_attempt_at`` to a lease expiry (so a crashed worker's rows come back once the lease runs
out), posts them, and records the outcome; the outbox row keeps a summary of its deliveries.

Order: deliveries about the same player to the same endpoint go out in the order they were
written (the autoincrement id); while one of them waits for a retry, or is in flight with
another worker, the later ones are not claimed.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, exists, func, select

from kraty_local.db import signal_after_commit
from kraty_local.store.queries import insert_ignore
from kraty_local.store.schema import webhook_deliveries, webhook_endpoints, webhook_outbox
from kraty_local.timefmt import iso, iso_or_none
from kraty_local.world import Game, World

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"

_d = webhook_deliveries


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds the lease of, with what it needs to post it."""

    id: int
    event_id: str
    event_name: str
    game_id: str
    endpoint_url: str
    ordering_key: str | None
    attempt: int  # 1-based, counting this one
    previous_next_attempt_at: datetime  # restored when the claim is released unsent
    payload: dict[str, Any]

    @property
    def group(self) -> tuple[str, str]:
        """Deliveries of one group go out one after another, in id order."""
        if self.ordering_key is None:
            return ("", str(self.id))
        return (self.endpoint_url, self.ordering_key)


@dataclass(frozen=True)
class Result:
    """The outcome of one attempt, as recorded."""

    status: str  # delivered | pending (retry at next_attempt_at) | dead
    at: datetime  # when the attempt was made
    http_status: int | None
    error: str | None
    next_attempt_at: datetime | None = None


# --- endpoints -------------------------------------------------------------------------------


# Built once: every event a service emits reads it.
_REGISTERED_URLS = (
    select(webhook_endpoints.c.url)
    .where(webhook_endpoints.c.game_id == bindparam("game_id"))
    .order_by(webhook_endpoints.c.created_at)
)


def endpoint_urls(conn: Connection, game: Game) -> list[str]:
    """Every endpoint of ``game``: the world's, then those registered at run time."""
    urls = [hook.url for hook in game.webhooks]
    registered = conn.execute(_REGISTERED_URLS, {"game_id": game.id}).scalars()
    return list(dict.fromkeys([*urls, *registered]))


def endpoint_secrets(
    conn: Connection, world: World, targets: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[str]]:
    """The active secrets of each ``(game id, url)``; an endpoint that is gone has none."""
    wanted = set(targets)
    found: dict[tuple[str, str], list[str]] = {target: [] for target in wanted}
    for game_id, url in wanted:
        game = world.games.get(game_id)
        for hook in game.webhooks if game else ():
            if hook.url == url:
                found[game_id, url].extend(hook.secrets)
    if wanted:
        rows = conn.execute(
            select(webhook_endpoints.c.game_id, webhook_endpoints.c.url, webhook_endpoints.c.secret)
            .where(webhook_endpoints.c.url.in_({url for _, url in wanted}))
            .order_by(webhook_endpoints.c.created_at)
        )
        for game_id, url, secret in rows:
            if (game_id, url) in found:
                found[game_id, url].append(secret)
    return found


def add_endpoint(
    conn: Connection,
    game_id: str,
    url: str,
    now: datetime,
    expires_at: datetime,
    *,
    secret: str | None = None,
) -> dict[str, str]:
    """Register a run-time endpoint signing with ``secret`` (default: a fresh one); returns it,
    secret included.

    It is removed by :func:`expire_endpoints` after ``expires_at`` unless :func:`keep_endpoint`
    pushes that forward (a listener's open stream does).
    """
    endpoint = {
        "id": str(uuid.uuid4()),
        "game_id": game_id,
        "url": url,
        "secret": secret or f"whsec_{secrets.token_urlsafe(24)}",
    }
    conn.execute(
        webhook_endpoints.insert().values(**endpoint, created_at=now, expires_at=expires_at)
    )
    return {
        "id": endpoint["id"],
        "gameId": game_id,
        "url": url,
        "secret": endpoint["secret"],
    }


def list_endpoints(
    conn: Connection, game_ids: Sequence[str], endpoint_id: str | None = None
) -> list[dict[str, str]]:
    """The run-time endpoints of those games (or the one ``endpoint_id``), oldest first.

    Secrets are not included.
    """
    e = webhook_endpoints.c
    query = select(e.id, e.game_id, e.url, e.created_at, e.expires_at).where(
        e.game_id.in_(game_ids)
    )
    if endpoint_id is not None:
        query = query.where(e.id == endpoint_id)
    return [
        {
            "id": row.id,
            "gameId": row.game_id,
            "url": row.url,
            "createdAt": iso(row.created_at),
            "expiresAt": iso(row.expires_at),
        }
        for row in conn.execute(query.order_by(e.created_at, e.id))
    ]


def keep_endpoint(
    conn: Connection,
    endpoint_id: str,
    expires_at: datetime,
    game_ids: Sequence[str] | None = None,
) -> bool:
    """Move a run-time endpoint's expiry to ``expires_at``; False when it is gone (or is not
    of one of ``game_ids``)."""
    query = webhook_endpoints.update().where(webhook_endpoints.c.id == endpoint_id)
    if game_ids is not None:
        query = query.where(webhook_endpoints.c.game_id.in_(game_ids))
    kept = conn.execute(query.values(expires_at=expires_at))
    return kept.rowcount > 0


def expire_endpoints(conn: Connection, now: datetime) -> int:
    """Remove the run-time endpoints whose expiry passed; returns how many."""
    expired = conn.execute(webhook_endpoints.delete().where(webhook_endpoints.c.expires_at < now))
    return expired.rowcount


def next_due(conn: Connection, now: datetime) -> datetime | None:
    """When, after ``now``, the dispatcher next has something to do by the clock: the earliest
    pending delivery's due time (a retry, or a claimed delivery's lease end) or run-time endpoint
    expiry. (What is due already but was not sent waits for something later: a delivery behind
    another of its player, an endpoint for the next sweep.)"""
    e = webhook_endpoints
    times = conn.execute(
        select(
            select(func.min(_d.c.next_attempt_at))
            .where(_d.c.status == PENDING, _d.c.next_attempt_at > now)
            .scalar_subquery(),
            select(func.min(e.c.expires_at)).where(e.c.expires_at > now).scalar_subquery(),
        )
    ).one()
    return min((moment for moment in times if moment is not None), default=None)


def remove_endpoint(conn: Connection, endpoint_id: str, game_ids: Sequence[str]) -> bool:
    """Forget a run-time endpoint (its pending deliveries then die unsent); False if unknown."""
    deleted = conn.execute(
        webhook_endpoints.delete().where(
            webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.game_id.in_(game_ids)
        )
    )
    return deleted.rowcount > 0


# --- fan-out ---------------------------------------------------------------------------------


def enqueue(
    conn: Connection,
    *,
    event_id: str,
    game_id: str,
    urls: Sequence[str],
    ordering_key: str | None,
    now: datetime,
) -> int:
    """One pending delivery of the event per url not yet holding one; returns how many.

    The dispatcher is woken once the transaction commits."""
    if urls:
        signal_after_commit(conn)
    added = 0
    for url in urls:
        row = {
            "event_id": event_id,
            "game_id": game_id,
            "endpoint_url": url,
            "ordering_key": ordering_key,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        added += insert_ignore(conn, _d, row, ["event_id", "endpoint_url"])
    return added


# --- claiming and recording ------------------------------------------------------------------


def claim(conn: Connection, *, now: datetime, lease_until: datetime, limit: int) -> list[Claimed]:
    """Take the lease of up to ``limit`` due deliveries, in id order (see the module doc).

    On PostgreSQL the candidate rows are locked with ``FOR UPDATE SKIP LOCKED`` so concurrent
    workers split the work; on SQLite the caller's ``BEGIN IMMEDIATE`` serializes claims.
    """
    earlier = _d.alias("earlier")
    waiting_before = exists().where(
        earlier.c.endpoint_url == _d.c.endpoint_url,
        earlier.c.ordering_key == _d.c.ordering_key,
        earlier.c.status == PENDING,
        earlier.c.id < _d.c.id,
        earlier.c.next_attempt_at > now,
    )
    candidates = conn.execute(
        select(_d, webhook_outbox.c.event_name, webhook_outbox.c.payload)
        .join(webhook_outbox, webhook_outbox.c.id == _d.c.event_id)
        .where(_d.c.status == PENDING, _d.c.next_attempt_at <= now, ~waiting_before)
        .order_by(_d.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=_d)
    ).all()
    kept = _in_order(conn, candidates)
    if not kept:
        return []
    claimed = conn.execute(
        _d.update()
        .where(_d.c.id.in_([row.id for row in kept]), _d.c.status == PENDING)
        .values(next_attempt_at=lease_until, attempts=_d.c.attempts + 1)
        .returning(_d.c.id, _d.c.attempts)
    ).all()
    attempts: dict[int, int] = {row.id: row.attempts for row in claimed}
    return [
        Claimed(
            id=row.id,
            event_id=row.event_id,
            event_name=row.event_name,
            game_id=row.game_id,
            endpoint_url=row.endpoint_url,
            ordering_key=row.ordering_key,
            attempt=attempts[row.id],
            previous_next_attempt_at=row.next_attempt_at,
            payload=row.payload,
        )
        for row in kept
        if row.id in attempts
    ]


def _in_order(conn: Connection, candidates: Sequence[Row[Any]]) -> list[Row[Any]]:
    """Drop the candidates of a group whose earliest pending delivery is not among them.

    That delivery is in flight with another worker (locked, or leased since this statement's
    snapshot): sending a later one now could overtake it.
    """
    keys = {row.ordering_key for row in candidates if row.ordering_key is not None}
    if not keys:
        return list(candidates)
    heads = {
        (url, key): first
        for url, key, first in conn.execute(
            select(_d.c.endpoint_url, _d.c.ordering_key, func.min(_d.c.id))
            .where(_d.c.status == PENDING, _d.c.ordering_key.in_(keys))
            .group_by(_d.c.endpoint_url, _d.c.ordering_key)
        )
    }
    kept: list[Row[Any]] = []
    verdicts: dict[tuple[str, str], bool] = {}
    for row in candidates:
        if row.ordering_key is None:
            kept.append(row)
            continue
        group = (row.endpoint_url, row.ordering_key)
        if group not in verdicts:  # the group's first candidate must be its earliest pending
            verdicts[group] = heads.get(group) == row.id
        if verdicts[group]:
            kept.append(row)
    return kept


def release(conn: Connection, unsent: Sequence[Claimed]) -> None:
    """Give back claimed deliveries that were never sent, as if they had not been claimed."""
    if not unsent:
        return
    conn.execute(
        _d.update()
        .where(
            _d.c.id == bindparam("b_id"),
            _d.c.attempts == bindparam("b_attempt"),
            _d.c.status == PENDING,
        )
        .values(next_attempt_at=bindparam("b_next"), attempts=_d.c.attempts - 1),
        [
            {"b_id": d.id, "b_attempt": d.attempt, "b_next": d.previous_next_attempt_at}
            for d in unsent
        ],
    )


def record(conn: Connection, outcomes: Sequence[tuple[Claimed, Result]]) -> None:
    """Store the outcomes of attempts and refresh their events' summaries on the outbox rows.

    The events' outbox rows are locked first, in id order, so concurrent recorders of the same
    event serialize without deadlocking. An outcome is ignored when its delivery changed hands
    meanwhile (redelivered, or re-claimed after its lease ran out): the newer holder records.
    """
    if not outcomes:
        return
    event_ids = sorted({delivery.event_id for delivery, _ in outcomes})
    conn.execute(
        select(webhook_outbox.c.id)
        .where(webhook_outbox.c.id.in_(event_ids))
        .order_by(webhook_outbox.c.id)
        .with_for_update()
    )
    conn.execute(
        _d.update()
        .where(
            _d.c.id == bindparam("b_id"),
            _d.c.attempts == bindparam("b_attempt"),
            _d.c.status == PENDING,
        )
        .values(
            status=bindparam("b_status"),
            last_attempt_at=bindparam("b_at"),
            last_status=bindparam("b_http_status"),
            last_error=bindparam("b_error"),
            delivered_at=bindparam("b_delivered_at"),
            next_attempt_at=bindparam("b_next"),
        ),
        [
            {
                "b_id": delivery.id,
                "b_attempt": delivery.attempt,
                "b_status": result.status,
                "b_at": result.at,
                "b_http_status": result.http_status,
                "b_error": result.error,
                "b_delivered_at": result.at if result.status == DELIVERED else None,
                "b_next": result.next_attempt_at or result.at,
            }
            for delivery, result in outcomes
        ],
    )
    _summarize(conn, event_ids, {delivery.event_id: result for delivery, result in outcomes})


def _summarize(
    conn: Connection, event_ids: Sequence[str], last: dict[str, Result], now: datetime | None = None
) -> None:
    """Recompute the outbox columns of these events from their deliveries.

    ``last`` holds each event's latest attempt (its ``last_*`` columns); without attempts
    (a redelivery) pass ``now`` instead, the time the event was queued again.
    """
    rows = conn.execute(
        select(_d.c.event_id, _d.c.endpoint_url, _d.c.status, _d.c.attempts, _d.c.next_attempt_at)
        .where(_d.c.event_id.in_(event_ids))
        .order_by(_d.c.id)
    ).all()
    updates = []
    for event_id in event_ids:
        mine = [row for row in rows if row.event_id == event_id]
        statuses = {row.status for row in mine}
        status = PENDING if PENDING in statuses else DEAD if DEAD in statuses else DELIVERED
        attempt = last.get(event_id)
        at = attempt.at if attempt is not None else now
        pending = [row.next_attempt_at for row in mine if row.status == PENDING]
        values: dict[str, Any] = {
            "b_id": event_id,
            "status": status,
            "attempts": sum(row.attempts for row in mine),
            "delivered_to": [row.endpoint_url for row in mine if row.status == DELIVERED],
            "delivered_at": at if status == DELIVERED else None,
            "next_attempt_at": min(pending) if pending else at,
        }
        if last:
            values.update(
                last_attempt_at=at,
                last_status=attempt.http_status if attempt else None,
                last_error=attempt.error if attempt else None,
            )
        updates.append(values)
    conn.execute(webhook_outbox.update().where(webhook_outbox.c.id == bindparam("b_id")), updates)


# --- reading and redelivery ------------------------------------------------------------------


def list_deliveries(
    conn: Connection,
    game_ids: Sequence[str],
    *,
    event_id: str | None = None,
    endpoint_url: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Deliveries of those games, newest first, as JSON-ready dicts."""
    query = (
        select(_d, webhook_outbox.c.event_name)
        .join(webhook_outbox, webhook_outbox.c.id == _d.c.event_id)
        .where(_d.c.game_id.in_(game_ids))
        .order_by(_d.c.id.desc())
        .limit(limit)
    )
    if event_id is not None:
        query = query.where(_d.c.event_id == event_id)
    if endpoint_url is not None:
        query = query.where(_d.c.endpoint_url == endpoint_url)
    if status is not None:
        query = query.where(_d.c.status == status)
    return [_view(row) for row in conn.execute(query)]


def _view(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "eventId": row.event_id,
        "eventName": row.event_name,
        "gameId": row.game_id,
        "endpointUrl": row.endpoint_url,
        "status": row.status,
        "attempts": row.attempts,
        "nextAttemptAt": iso(row.next_attempt_at) if row.status == PENDING else None,
        "lastAttemptAt": iso_or_none(row.last_attempt_at),
        "lastStatus": row.last_status,
        "lastError": row.last_error,
        "deliveredAt": iso_or_none(row.delivered_at),
        "createdAt": iso(row.created_at),
    }


def redeliver(
    conn: Connection, world: World, event_id: str, game_ids: Sequence[str], now: datetime
) -> int | None:
    """Queue the event again for every endpoint its game has now, with a fresh retry cycle.

    Returns how many deliveries were queued, or None when the event is unknown (or belongs to
    another game). Deliveries already made are sent again: receivers deduplicate on the id.
    """
    event = conn.execute(
        select(webhook_outbox.c.game_id, webhook_outbox.c.payload)
        .where(webhook_outbox.c.id == event_id, webhook_outbox.c.game_id.in_(game_ids))
        .with_for_update()
    ).first()
    if event is None:
        return None
    game = world.games.get(event.game_id)
    signal_after_commit(conn)
    conn.execute(
        _d.update()
        .where(_d.c.event_id == event_id)
        .values(status=PENDING, attempts=0, next_attempt_at=now, delivered_at=None)
    )
    enqueue(
        conn,
        event_id=event_id,
        game_id=event.game_id,
        urls=endpoint_urls(conn, game) if game else [],
        ordering_key=ordering_key(event.payload["data"]),
        now=now,
    )
    _summarize(conn, [event_id], {}, now)
    return int(
        conn.execute(
            select(func.count()).select_from(_d).where(_d.c.event_id == event_id)
        ).scalar_one()
    )


def ordering_key(data: dict[str, Any]) -> str | None:
    """What orders an event's deliveries: the player it is about, if any.

    That is ``data.playerId``; for ``player.merged`` the player merged away (``fromPlayerId``),
    so the merge arrives after everything sent about that player before it.
    """
    player_id = data.get("playerId", data.get("fromPlayerId"))
    return player_id if isinstance(player_id, str) else None
