"""Lobbies pushed by a studio's own matchmaker (contract section 4, Lobbies).

A lobby is idempotent on its ``key`` (the studio's lobby id) for its whole life: pushing the
same key again with the same request returns the same lobby and changes nothing; the same key
with a different request (other players, capacity, bots, metadata or event) is ``409
idempotency_conflict`` naming the differing fields, as the idempotency layer reports a changed
body. Player order does not matter.

Kraty Local's model: the lobby's ``leaderboardId`` is ``lobby:<id>`` (each lobby ranks its own
players); ``botSlots`` are the free seats when bots fill; a lobby is ``active`` (``startedAt``
set) once every seat is taken by a player or a bot, else ``forming`` until ``fillBy`` (the end
of the event window); every lobby reads as ``closed`` once its window has ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select

from kraty_local.domain.errors import Conflict, IdempotencyConflict, Invalid, NotFound
from kraty_local.services.context import OpContext, new_id
from kraty_local.services.events import require_event, require_open_window
from kraty_local.services.players import ensure_player
from kraty_local.store.queries import insert_ignore
from kraty_local.store.schema import lobbies, lobby_members, players
from kraty_local.timefmt import iso_or_none
from kraty_local.wire import Lobby, LobbyParticipant, LobbyStatus, LobbyView


def push(
    ctx: OpContext,
    event_key: str,
    key: str,
    external_player_ids: Sequence[str],
    *,
    capacity: int | None,
    fill_bots: bool | None,
    metadata: dict[str, Any] | None,
) -> Lobby:
    """Create the lobby ``key`` for ``event_key`` (or return it again; see module doc)."""
    event = require_event(ctx, event_key)
    if event.leaderboard_mode != "lobby_matched":
        raise Conflict(
            f"Event {event_key!r} has leaderboardMode {event.leaderboard_mode!r}; "
            "lobbies can only be pushed to 'lobby_matched' events.",
            {"leaderboardMode": event.leaderboard_mode},
        )
    require_open_window(ctx, event)
    seats = event.capacity if capacity is None else capacity
    if len(external_player_ids) > seats:
        raise Invalid(
            "More players than seats.",
            [
                {
                    "field": "externalPlayerIds",
                    "message": f"{len(external_player_ids)} players do not fit the event's "
                    f"capacity of {seats}",
                }
            ],
        )
    bots = event.fill_bots if fill_bots is None else fill_bots
    request = {
        "eventKey": event_key,
        "externalPlayerIds": sorted(external_player_ids),
        "capacity": seats,
        "fillBots": bots,
        "metadata": metadata,
    }
    bot_slots = seats - len(external_player_ids) if bots else 0
    full = len(external_player_ids) + bot_slots == seats
    lobby_id = new_id()
    inserted = insert_ignore(
        ctx.conn,
        lobbies,
        {
            "id": lobby_id,
            "studio_id": ctx.game.studio_id,
            "game_id": ctx.game.id,
            "key": key,
            "event_key": event_key,
            "event_window_id": event.window.id,
            "leaderboard_id": f"lobby:{lobby_id}",
            "mode": event.leaderboard_mode,
            "status": "active" if full else "forming",
            "capacity": seats,
            "fill_bots": bots,
            "bot_slots": bot_slots,
            "metadata": metadata,
            "request": request,
            "fill_by": None if full else event.window.end,
            "started_at": ctx.now if full else None,
            "ends_at": event.window.end,
            "created_at": ctx.now,
            "updated_at": ctx.now,
        },
        ["game_id", "key"],
    )
    if not inserted:
        existing = _load(ctx, lobbies.c.key == key)
        if existing.request != request:
            raise IdempotencyConflict(existing.request, request, existing.created_at)
        return _view(ctx, existing)
    members = [ensure_player(ctx, external_id) for external_id in external_player_ids]
    ctx.conn.execute(
        lobby_members.insert(),
        [{"lobby_id": lobby_id, "player_id": m.id, "joined_at": ctx.now} for m in members],
    )
    lobby = _view(ctx, _load(ctx, lobbies.c.id == lobby_id))
    participants = [{"externalPlayerId": m.external_player_id} for m in members]
    ctx.emit("lobby.created", {"lobbyKey": key, "lobby": lobby, "participants": participants})
    ctx.audit("lobby.create", None, {"lobbyId": lobby_id, "key": key, "eventKey": event_key})
    return lobby


def read(ctx: OpContext, lobby_id: str) -> LobbyView:
    """The lobby ``lobby_id`` of this game with its participants; ``404`` when unknown."""
    row = _load(ctx, lobbies.c.id == lobby_id)
    seated = ctx.conn.execute(
        select(players.c.external_player_id)
        .join(lobby_members, lobby_members.c.player_id == players.c.id)
        .where(lobby_members.c.lobby_id == row.id)
        .order_by(lobby_members.c.id)
    ).scalars()
    participants: list[LobbyParticipant] = [{"externalPlayerId": p} for p in seated]
    return {**_view(ctx, row), "participants": participants}


def _load(ctx: OpContext, where: Any) -> Row[Any]:
    row = ctx.conn.execute(select(lobbies).where(lobbies.c.game_id == ctx.game.id, where)).first()
    if row is None:
        raise NotFound("Unknown lobby for this game.")
    return row


def _view(ctx: OpContext, row: Row[Any]) -> Lobby:
    seated = ctx.conn.execute(
        select(func.count()).where(lobby_members.c.lobby_id == row.id)
    ).scalar_one()
    closed = row.ends_at is not None and row.ends_at <= ctx.now
    status: LobbyStatus = "closed" if closed else row.status
    return {
        "id": row.id,
        "eventId": row.event_key,
        "eventWindowId": row.event_window_id,
        "leaderboardId": row.leaderboard_id,
        "mode": row.mode,
        "status": status,
        "capacity": row.capacity,
        "fillBy": iso_or_none(row.fill_by),
        "participantCount": int(seated),
        "botSlots": row.bot_slots,
        "startedAt": iso_or_none(row.started_at),
        "endsAt": iso_or_none(row.ends_at),
    }
