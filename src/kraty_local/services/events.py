"""Events of the world: lookup and window checks shared by lobbies and attempts."""

from __future__ import annotations

from kraty_local.domain.errors import Conflict, EventDisabled, NotFound
from kraty_local.services.context import OpContext
from kraty_local.world import Event


def require_event(ctx: OpContext, event_key: str) -> Event:
    """The game's enabled event ``event_key``; a decided :class:`NotFound` when unknown,
    :class:`EventDisabled` when switched off."""
    event = ctx.game.events.get(event_key)
    if event is None:
        raise NotFound(f"Unknown event {event_key!r}.", decided=True)
    if not event.enabled:
        raise EventDisabled(f"Event {event_key!r} is disabled.", decided=True)
    return event


def require_open_window(ctx: OpContext, event: Event) -> None:
    """A decided :class:`Conflict` unless the clock is inside the event's current window."""
    window = event.window
    if not window.start <= ctx.now < window.end:
        raise Conflict(
            f"Event {event.key!r} is not running: its window {window.id!r} is not open.",
            {"eventWindowId": window.id},
            decided=True,
        )
