"""Errors only the game client's surface (``/sdk/v1``, contract section 10) raises.

Each refines a section 2 error, so the API layer maps it to that error's status.
"""

from __future__ import annotations

from kraty_local.domain.errors import Conflict, Forbidden, SessionInvalid


class PlayerSecretInvalid(SessionInvalid):
    """``X-Player-Secret`` missing, malformed or not this player's (or no such player)."""

    code = "player_secret_invalid"

    def __init__(self) -> None:
        """Never say which of the cases it was: that would tell a guesser which ids exist."""
        super().__init__("Missing or invalid X-Player-Secret for this player.")


class PlayerBanned(Forbidden):
    """A player-scoped client write by a banned player (never stored as an idempotent answer:
    once unbanned, the same request applies)."""

    code = "player_banned"

    def __init__(self, external_player_id: str) -> None:
        """Refuse the write."""
        super().__init__(
            f"Player {external_player_id!r} is banned.", {"externalPlayerId": external_player_id}
        )


class PlayerAlreadyRegistered(Conflict):
    """A second register without ``force=true``."""

    code = "player_already_registered"

    def __init__(self, external_player_id: str) -> None:
        """Refuse the register."""
        super().__init__(
            f"Player {external_player_id!r} is already registered.",
            {"externalPlayerId": external_player_id},
        )
