"""The seed format: one game's players, holdings and social links as a JSON document.

:func:`parse_seed` / :func:`load_seed` check a document (every problem at once, as a
:class:`SeedError`); :mod:`kraty_local.seeding` applies a seed to a database and exports one.
The format is documented in ``docs/seeding.md``.
"""

from kraty_local.seed.errors import SeedError
from kraty_local.seed.model import (
    KEEP,
    SEED_VERSION,
    Block,
    FriendRequest,
    Friendship,
    Identity,
    Seed,
    SeedPlayer,
)
from kraty_local.seed.reader import load_seed, parse_seed, parse_seed_text, read_seed_file
from kraty_local.seed.writer import dump_seed

__all__ = [
    "KEEP",
    "SEED_VERSION",
    "Block",
    "FriendRequest",
    "Friendship",
    "Identity",
    "Seed",
    "SeedError",
    "SeedPlayer",
    "dump_seed",
    "load_seed",
    "parse_seed",
    "parse_seed_text",
    "read_seed_file",
]
