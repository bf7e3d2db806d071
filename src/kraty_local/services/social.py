"""The social graph the game client writes (``/sdk/v1``): friend codes, requests, friendships,
blocks and search. ``/server/v1``'s ``players.friends/friend_requests/blocks`` read the same
tables (:mod:`kraty_local.services.player_views`).

[Local model] A friend code is derived from the internal player id (stable, never stored): six
characters of an alphabet without 0/O, 1/I/L, spelling the id's first 32 bits scaled down to the
31**6 codes. The scaling keeps the order, so the players a code names are those whose id starts
within one range of 8-hex-digit prefixes: a range search of the primary key, not a scan of the
game's players. Internal ids are UUID4s, random in those bits. A friendship is one ``friends`` row
(requester, accepter); a request is one row per direction, reopened when sent again after a
decline. Blocking removes any friendship and request between the two players.

Concurrency: a write share-locks its player's row (as the ``/sdk/v1`` write gate already did)
and then locks the pair of players it touches (:func:`_lock_pair`), before it reads or writes
any of the pair's rows. So the writes of one pair run one at a time (two crossing requests: the
second accepts the first; a block and an accept: never both a friendship and a block), writes
of different pairs do not wait for each other, and no write waits for a lock while holding one
that another write of the pair needs: there is one pair lock per transaction, and the player
rows are only ever share-locked by these writes.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, Select, and_, delete, func, or_, select

from kraty_local.domain.errors import Conflict, Forbidden, NotFound
from kraty_local.domain.social_errors import (
    AlreadyFriends,
    CannotFriendSelf,
    FriendCodeInvalid,
    PlayerBlocked,
)
from kraty_local.services.context import OpContext, new_id
from kraty_local.services.player_views import friend_view, other_player
from kraty_local.services.players import find_player_row, require_player_row
from kraty_local.services.registration import identities
from kraty_local.store.queries import insert_ignore, lock_name
from kraty_local.store.schema import blocks, friend_requests, friends, players
from kraty_local.timefmt import iso

_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
FRIEND_CODE_LENGTH = 6
MAX_SEARCH = 50
_CODES: int = len(_ALPHABET) ** FRIEND_CODE_LENGTH
_PREFIX_DIGITS = 8  # hex digits of the id a code spells
_PREFIXES: int = 16**_PREFIX_DIGITS


def friend_code_of(player_id: str) -> str:
    """The player's friend code (a function of the internal id: stable, never stored)."""
    number = int(player_id[:_PREFIX_DIGITS], 16) * _CODES // _PREFIXES
    letters = []
    for _ in range(FRIEND_CODE_LENGTH):
        number, digit = divmod(number, len(_ALPHABET))
        letters.append(_ALPHABET[digit])
    return "".join(reversed(letters))


def id_prefixes_of_code(code: str) -> tuple[str, str | None] | None:
    """The id prefixes ``[low, high)`` whose players have ``code`` (``None``: no code spelled
    so; ``high`` ``None``: up to the last id)."""
    if len(code) != FRIEND_CODE_LENGTH or not set(code) <= set(_ALPHABET):
        return None
    number = 0
    for letter in code:
        number = number * len(_ALPHABET) + _ALPHABET.index(letter)

    def first_prefix(n: int) -> int:  # the smallest prefix whose code is at least n
        return -(-n * _PREFIXES // _CODES)

    low, high = first_prefix(number), first_prefix(number + 1)
    width = f"0{_PREFIX_DIGITS}x"
    return format(low, width), (format(high, width) if high < _PREFIXES else None)


def friend_code(ctx: OpContext, external_player_id: str) -> dict[str, Any]:
    """``{friendCode, displayIdentity}`` of the player."""
    row = require_player_row(ctx, external_player_id)
    return {"friendCode": friend_code_of(row.id), **_display(row)}


def send_request(
    ctx: OpContext,
    external_player_id: str,
    *,
    code: str | None,
    target_id: str | None,
) -> dict[str, Any]:
    """Ask another player (by friend code or external id) to be friends; accepted at once
    when they had already asked."""
    me = _me(ctx, external_player_id)
    other = _target(ctx, me, code, target_id)
    _lock_pair(ctx, me.id, other.id)
    if _blocked_between(ctx, me.id, other.id):
        raise PlayerBlocked("One of the two players blocks the other.")
    if _are_friends(ctx, me.id, other.id):
        raise AlreadyFriends(f"Already friends with {other.external_player_id!r}.")
    theirs = _request_between(ctx, other.id, me.id)
    if theirs is not None and theirs.status == "pending":
        return {"status": "accepted", "friend": _accept(ctx, theirs, other)}
    mine = _request_between(ctx, me.id, other.id)
    if mine is None:
        request_id = new_id()
        values = {"from_player_id": me.id, "to_player_id": other.id}
        fresh = {"id": request_id, **values, "status": "pending"}
        insert_ignore(
            ctx.conn,
            friend_requests,
            {**fresh, "created_at": ctx.now, "updated_at": ctx.now},
            ["from_player_id", "to_player_id"],
        )
        mine = _request_between(ctx, me.id, other.id)
    elif mine.status != "pending":
        ctx.conn.execute(
            friend_requests.update()
            .where(friend_requests.c.id == mine.id)
            .values(status="pending", created_at=ctx.now, updated_at=ctx.now)
        )
        mine = _request_between(ctx, me.id, other.id)
    assert mine is not None
    return {"status": "pending", "request": _request_view(mine, "outgoing", other)}


def answer_request(
    ctx: OpContext, external_player_id: str, request_id: str, *, accept: bool
) -> dict[str, Any]:
    """Accept (``{friend}``) or decline (``{declined: true}``) an incoming pending request."""
    me = _me(ctx, external_player_id)
    request = _my_request(ctx, me, request_id)
    if request.from_player_id == me.id:
        raise Forbidden("This is your own outgoing request; only its recipient can answer it.")
    _require_pending(request)
    other = ctx.conn.execute(select(players).where(players.c.id == request.from_player_id)).one()
    if not accept:
        _settle(ctx, request.id, "declined")
        return {"declined": True}
    if _blocked_between(ctx, me.id, other.id):
        raise PlayerBlocked("One of the two players blocks the other.")
    return {"friend": _accept(ctx, request, other)}


def cancel_request(ctx: OpContext, external_player_id: str, request_id: str) -> dict[str, bool]:
    """Withdraw one's own pending request."""
    me = _me(ctx, external_player_id)
    request = _my_request(ctx, me, request_id)
    if request.to_player_id == me.id:
        raise Forbidden("This request was sent to you: decline it instead.")
    _require_pending(request)
    ctx.conn.execute(delete(friend_requests).where(friend_requests.c.id == request.id))
    return {"cancelled": True}


def remove_friend(ctx: OpContext, external_player_id: str, friend_id: str) -> dict[str, bool]:
    """End a friendship; ``removed: false`` when there was none."""
    me = _me(ctx, external_player_id)
    other = find_player_row(ctx, friend_id)
    if other is None:
        return {"removed": False}
    _lock_pair(ctx, me.id, other.id)
    return {"removed": _unfriend(ctx, me.id, other.id)}


def block(
    ctx: OpContext, external_player_id: str, *, code: str | None, target_id: str | None
) -> dict[str, Any]:
    """Block a player (by friend code or external id): any friendship or request between the
    two goes; blocking again answers the existing block."""
    me = _me(ctx, external_player_id)
    other = _target(ctx, me, code, target_id)
    _lock_pair(ctx, me.id, other.id)
    insert_ignore(
        ctx.conn,
        blocks,
        {"player_id": me.id, "blocked_player_id": other.id, "created_at": ctx.now},
        ["player_id", "blocked_player_id"],
    )
    _unfriend(ctx, me.id, other.id)
    ctx.conn.execute(delete(friend_requests).where(_pair(*_REQUESTS, me.id, other.id)))
    blocked_at = ctx.conn.execute(
        select(blocks.c.created_at).where(
            blocks.c.player_id == me.id, blocks.c.blocked_player_id == other.id
        )
    ).scalar_one()
    return {"blocked": {**other_player(other), "blockedAt": iso(blocked_at)}}


def unblock(ctx: OpContext, external_player_id: str, blocked_id: str) -> dict[str, bool]:
    """Lift a block; ``unblocked: false`` when there was none."""
    me = _me(ctx, external_player_id)
    other = find_player_row(ctx, blocked_id)
    if other is None:
        return {"unblocked": False}
    _lock_pair(ctx, me.id, other.id)
    gone = ctx.conn.execute(
        delete(blocks)
        .where(blocks.c.player_id == me.id, blocks.c.blocked_player_id == other.id)
        .returning(blocks.c.id)
    ).all()
    return {"unblocked": bool(gone)}


def search(ctx: OpContext, external_player_id: str, query: str, limit: int) -> dict[str, Any]:
    """Players whose external id or display name starts with ``query`` (any case), but the
    caller and players blocked either way, with the caller's relationship to each."""
    me = require_player_row(ctx, external_player_id)
    prefix = query.lower()
    blocked = select(blocks.c.blocked_player_id).where(blocks.c.player_id == me.id)
    blocking = select(blocks.c.player_id).where(blocks.c.blocked_player_id == me.id)
    rows = ctx.conn.execute(
        select(players)
        .where(
            *_live_in_game(ctx),
            players.c.id != me.id,
            players.c.id.not_in(blocked),
            players.c.id.not_in(blocking),
            or_(
                func.lower(players.c.external_player_id).startswith(prefix, autoescape=True),
                func.lower(players.c.synthetic_name).startswith(prefix, autoescape=True),
            ),
        )
        .order_by(players.c.external_player_id)
        .limit(limit)
    ).all()
    return {
        "results": [
            {**other_player(row), "relationship": _relationship(ctx, me.id, row.id)} for row in rows
        ]
    }


def _me(ctx: OpContext, external_player_id: str) -> Row[Any]:
    """The writing player's row, share-locked: a ban, merge or erasure waits for this write."""
    return require_player_row(ctx, external_player_id, share=True)


def _lock_pair(ctx: OpContext, a: str, b: str) -> None:
    """Wait for the other writes of the pair ``a``, ``b`` (either order) to end."""
    lock_name(ctx.conn, "social:" + ":".join(sorted((a, b))))


def _display(row: Row[Any]) -> dict[str, Any]:
    return {"displayIdentity": identities(row)["displayIdentity"]}


def _live_in_game(ctx: OpContext) -> list[ColumnElement[bool]]:
    return [
        players.c.game_id == ctx.game.id,
        players.c.deleted_at.is_(None),
        players.c.merged_into_id.is_(None),
    ]


def _target(ctx: OpContext, me: Row[Any], code: str | None, target_id: str | None) -> Row[Any]:
    """The player a friend request or block names (never the caller)."""
    if code is not None:
        found = _by_friend_code(ctx, code.strip().upper())
        if found is None:
            raise FriendCodeInvalid(f"No player has the friend code {code!r}.")
        other = found
    else:
        found = find_player_row(ctx, target_id or "")
        if found is None:
            raise NotFound(f"Unknown player {target_id!r}.")
        other = found
    if other.id == me.id:
        raise CannotFriendSelf("A player cannot befriend or block themselves.")
    return other


def players_with_code(code: str) -> Select[Any] | None:
    """Every player (of any game, live or not) whose id has the friend code ``code``, by id:
    only the id range filters, so the engines search the primary key (SQLite would rather scan
    the game's players through its ``game_id`` index if the game were in the query too)."""
    prefixes = id_prefixes_of_code(code)
    if prefixes is None:
        return None
    low, high = prefixes
    in_range = [players.c.id >= low] + ([] if high is None else [players.c.id < high])
    return select(players).where(*in_range).order_by(players.c.id)


def _by_friend_code(ctx: OpContext, code: str) -> Row[Any] | None:
    """The live player of this game with that friend code (the lowest id if several share it)."""
    query = players_with_code(code)
    rows = () if query is None else ctx.conn.execute(query)
    return next((row for row in rows if _live_here(ctx, row)), None)


def _live_here(ctx: OpContext, row: Row[Any]) -> bool:
    return row.game_id == ctx.game.id and row.deleted_at is None and row.merged_into_id is None


def _pair(first: Any, second: Any, a: str, b: str) -> ColumnElement[bool]:
    """Rows whose two player columns link ``a`` and ``b``, either way round."""
    return or_(and_(first == a, second == b), and_(first == b, second == a))


_FRIENDS = (friends.c.player_id, friends.c.friend_player_id)
_BLOCKS = (blocks.c.player_id, blocks.c.blocked_player_id)
_REQUESTS = (friend_requests.c.from_player_id, friend_requests.c.to_player_id)


def _are_friends(ctx: OpContext, a: str, b: str) -> bool:
    return ctx.conn.execute(select(friends.c.id).where(_pair(*_FRIENDS, a, b))).first() is not None


def _blocked_between(ctx: OpContext, a: str, b: str) -> bool:
    return ctx.conn.execute(select(blocks.c.id).where(_pair(*_BLOCKS, a, b))).first() is not None


def _unfriend(ctx: OpContext, a: str, b: str) -> bool:
    gone = ctx.conn.execute(delete(friends).where(_pair(*_FRIENDS, a, b)).returning(friends.c.id))
    return bool(gone.all())


def _request_between(
    ctx: OpContext, sender: str, recipient: str, *, lock: bool = True
) -> Row[Any] | None:
    query = select(friend_requests).where(
        friend_requests.c.from_player_id == sender, friend_requests.c.to_player_id == recipient
    )
    return ctx.conn.execute(query.with_for_update() if lock else query).first()


def _my_request(ctx: OpContext, me: Row[Any], request_id: str) -> Row[Any]:
    """The request, sent or received by ``me``, read again once its pair is locked."""
    query = select(friend_requests).where(
        friend_requests.c.id == request_id,
        or_(friend_requests.c.from_player_id == me.id, friend_requests.c.to_player_id == me.id),
    )
    request = ctx.conn.execute(query).first()
    if request is not None:
        _lock_pair(ctx, request.from_player_id, request.to_player_id)
        request = ctx.conn.execute(query.with_for_update()).first()
    if request is None:
        raise NotFound(f"Unknown friend request {request_id!r}.")
    return request


def _require_pending(request: Row[Any]) -> None:
    if request.status != "pending":
        raise Conflict(f"This friend request is already {request.status}.")


def _settle(ctx: OpContext, request_id: str, status: str) -> None:
    ctx.conn.execute(
        friend_requests.update()
        .where(friend_requests.c.id == request_id)
        .values(status=status, updated_at=ctx.now)
    )


def _accept(ctx: OpContext, request: Row[Any], requester: Row[Any]) -> Any:
    insert_ignore(
        ctx.conn,
        friends,
        {
            "player_id": request.from_player_id,
            "friend_player_id": request.to_player_id,
            "created_at": ctx.now,
        },
        ["player_id", "friend_player_id"],
    )
    _settle(ctx, request.id, "accepted")
    return friend_view(ctx, requester, ctx.now)


def _request_view(
    request: Row[Any], direction: Literal["incoming", "outgoing"], other: Row[Any]
) -> dict[str, Any]:
    return {
        "requestId": request.id,
        "direction": direction,
        "player": other_player(other),
        "createdAt": iso(request.created_at),
    }


def _relationship(ctx: OpContext, me: str, other: str) -> str:
    if _are_friends(ctx, me, other):
        return "friends"
    incoming = _request_between(ctx, other, me, lock=False)
    if incoming is not None and incoming.status == "pending":
        return "request_incoming"
    outgoing = _request_between(ctx, me, other, lock=False)
    if outgoing is not None and outgoing.status == "pending":
        return "request_outgoing"
    return "none"
