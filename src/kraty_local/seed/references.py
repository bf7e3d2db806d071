"""Checks of a seed against itself, once its entries are read (:mod:`kraty_local.seed.shape`).

Every player a social entry names must be listed in ``players`` (once), and the social entries
must describe a state the API could reach: nobody befriends, asks or blocks themselves; no pair
is listed twice; a pair is friends, or has one pending request, or neither; a blocked pair is
neither friends nor asking.
"""

from __future__ import annotations

from kraty_local.seed.model import Seed
from kraty_local.seed.shape import Problems, Reading, choices
from kraty_local.world import Game, World


def resolve_game(world: World, seed: Seed) -> Game | None:
    """The game the seed is for (its ``game``, else the world's default), None when unknown."""
    return world.games.get(seed.game or world.default_game_id)


def check_references(reading: Reading, problems: Problems) -> None:
    """Add every cross-entry problem of ``reading`` to ``problems``."""
    listed: set[str] = set()
    for index, external_id in enumerate(reading.player_ids):
        if external_id in listed:
            problems.add(f"players[{index}] {external_id!r}", "this player is listed twice")
        listed.add(external_id)
    _check_social(reading.seed, listed, problems)


def _check_social(seed: Seed, listed: set[str], problems: Problems) -> None:
    friends: set[frozenset[str]] = set()
    for index, friendship in enumerate(seed.friendships):
        where = f"friendships[{index}] {friendship.first!r} & {friendship.second!r}"
        if _check_link(where, friendship.first, friendship.second, listed, problems, "befriend"):
            if friendship.pair in friends:
                problems.add(where, "this friendship is listed twice")
            friends.add(friendship.pair)
    asking: dict[frozenset[str], tuple[str, str]] = {}
    for index, request in enumerate(seed.friend_requests):
        where = f"friendRequests[{index}] {request.sender!r} -> {request.recipient!r}"
        sender, recipient = request.sender, request.recipient
        if not _check_link(where, sender, recipient, listed, problems, "ask"):
            continue
        pair = frozenset((sender, recipient))
        if pair in friends:
            problems.add(where, "these players are already listed as friends")
        earlier = asking.get(pair)
        if earlier == (sender, recipient):
            problems.add(where, "this request is listed twice")
        elif earlier is not None:
            problems.add(
                where,
                f"{recipient!r} also asks {sender!r}; two crossing requests make a friendship, "
                "so list them in 'friendships' instead",
            )
        asking[pair] = (sender, recipient)
    blocked: set[tuple[str, str]] = set()
    for index, block in enumerate(seed.blocks):
        where = f"blocks[{index}] {block.player!r} blocks {block.blocked!r}"
        if not _check_link(where, block.player, block.blocked, listed, problems, "block"):
            continue
        if (block.player, block.blocked) in blocked:
            problems.add(where, "this block is listed twice")
        blocked.add((block.player, block.blocked))
        pair = frozenset((block.player, block.blocked))
        if pair in friends:
            problems.add(
                where, "these players are also listed as friends (a block ends a friendship)"
            )
        if pair in asking:
            problems.add(where, "a friend request between them is also listed (a block cancels it)")


def _check_link(
    where: str, one: str, other: str, listed: set[str], problems: Problems, verb: str
) -> bool:
    """Whether both ends are listed and distinct (problems recorded otherwise)."""
    fine = True
    for player in dict.fromkeys((one, other)):
        if player not in listed:
            problems.add(
                where, f"player {player!r} is not listed in 'players'{choices(player, listed)}"
            )
            fine = False
    if one == other:
        problems.add(where, f"a player cannot {verb} themselves")
        fine = False
    return fine
