"""Path segments that keep their identity: ``a%2Fb`` is one segment, decoded exactly once.

The app routes on the still-encoded path (see ``middleware.raw_path``); parameters
declared as ``{name:segment}`` match one encoded segment and reach the route still encoded. The
route's parameter type (``api.strings``: ``PlayerIdPath``, ``KeyPath``...) decodes it strictly,
so a bad escape is a ``400 validation_failed`` naming the parameter.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.convertors import Convertor, register_url_convertor


class SegmentConvertor(Convertor[str]):
    """One percent-encoded path segment, passed on as it is (the parameter type decodes it)."""

    regex = "[^/]+"

    def convert(self, value: str) -> str:
        """The segment, still encoded."""
        return value

    def to_string(self, value: str) -> str:
        """Encode everything but unreserved characters."""
        return quote(value, safe="")


register_url_convertor("segment", SegmentConvertor())


def segment(name: str) -> str:
    """The path template of one segment parameter: ``{name:segment}``."""
    return "{" + name + ":segment}"


#: Prefix of every player-scoped route; importing it guarantees the convertor is registered.
PLAYER_PATH = "/players/{player_id:segment}"
#: Prefix of every route that names its game (``/games/{gameId}/...``).
GAME_PATH = "/games/{game_id:segment}"
