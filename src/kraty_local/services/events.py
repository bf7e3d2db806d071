"""Events of the world: lookup and window checks shared by lobbies and attempts."""

from __future__ import annotations

from kraty_local.errors import ApiError
from kraty_local.services.context import OpContext
from kraty_local.world import Event


def require_event(ctx: OpContext, event_key: str) -> Event:
    """The game's enabled event ``event_key``; storable ``404`` when unknown, ``409`` disabled."""
    event = ctx.game.events.get(event_key)
    if event is None:
        raise ApiError(404, "not_found", f"Unknown event {event_key!r}.", storable=True)
    if not event.enabled:
        raise ApiError(409, "event_disabled", f"Event {event_key!r} is disabled.", storable=True)
    return event


def require_open_window(ctx: OpContext, event: Event) -> None:
    """A storable ``409 conflict`` unless the clock is inside the event's current window."""
    window = event.window
    if not window.start <= ctx.now < window.end:
        raise ApiError(
            409,
            "conflict",
            f"Event {event.key!r} is not running: its window {window.id!r} is not open.",
            {"eventWindowId": window.id},
            storable=True,
        )
