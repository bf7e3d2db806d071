"""Path segments that keep their identity: ``a%2Fb`` is one segment, decoded exactly once.

The app routes on the still-encoded path (see ``middleware.RawPathMiddleware``); parameters
declared as ``{name:segment}`` match one encoded segment and are percent-decoded here, once.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.convertors import Convertor, register_url_convertor


class SegmentConvertor(Convertor[str]):
    """One percent-encoded path segment, decoded to the caller's original string."""

    regex = "[^/]+"

    def convert(self, value: str) -> str:
        """Decode once (UTF-8)."""
        return unquote(value)

    def to_string(self, value: str) -> str:
        """Encode everything but unreserved characters."""
        return quote(value, safe="")


register_url_convertor("segment", SegmentConvertor())

#: Prefix of every player-scoped route; importing it guarantees the convertor is registered.
PLAYER_PATH = "/players/{player_id:segment}"
#: Prefix of every route that names its game (``/games/{gameId}/...``).
GAME_PATH = "/games/{game_id:segment}"
