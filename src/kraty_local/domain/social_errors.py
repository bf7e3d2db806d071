"""Errors of the social graph on ``/sdk/v1`` (contract section 10, Identity and social)."""

from __future__ import annotations

from kraty_local.domain.errors import Conflict, Forbidden, Invalid, NotFound


class PlayerBlocked(Forbidden):
    """One of the two players blocks the other."""

    code = "player_blocked"


class AlreadyFriends(Conflict):
    """A friend request to a friend."""

    code = "already_friends"


class CannotFriendSelf(Invalid):
    """A friend request (or block) naming the caller."""

    code = "cannot_friend_self"


class FriendCodeInvalid(NotFound):
    """No player of this game has that friend code."""

    code = "friend_code_invalid"
