"""From a seed file, its text or its parsed JSON to a checked :class:`Seed` (or a SeedError)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kraty_local.seed.errors import SeedError
from kraty_local.seed.model import Seed
from kraty_local.seed.references import check_references
from kraty_local.seed.shape import Problems, read_document
from kraty_local.world import World


def parse_seed(document: Any, world: World, *, source: str | None = None) -> Seed:
    """Check a parsed JSON document against the format and the world; ``SeedError`` lists
    every problem found."""
    if isinstance(document, Seed):
        document = document.to_document()
    problems = Problems()
    reading = read_document(document, world, problems)
    check_references(reading, problems)
    if problems.found:
        raise SeedError(problems.found, source)
    return reading.seed


def parse_seed_text(text: str, world: World, *, source: str | None = None) -> Seed:
    """:func:`parse_seed` of JSON text; a JSON syntax error or a repeated key is a SeedError."""
    try:
        document = json.loads(text, object_pairs_hook=_no_repeated_keys)
    except _RepeatedKey as exc:
        raise SeedError([str(exc)], source) from None
    except ValueError as exc:
        raise SeedError([f"not valid JSON: {exc}"], source) from None
    return parse_seed(document, world, source=source)


def read_seed_file(path: str | Path, world: World) -> Seed:
    """:func:`parse_seed_text` of a UTF-8 file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError([f"cannot read the file: {exc}"], str(path)) from None
    return parse_seed_text(text, world, source=str(path))


def load_seed(data: Seed | Mapping[str, Any] | str | Path, world: World) -> Seed:
    """A checked seed from a :class:`Seed`, a parsed document, or the path of a seed file."""
    if isinstance(data, (str, Path)):
        return read_seed_file(data, world)
    return parse_seed(data, world)


class _RepeatedKey(ValueError):
    pass


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _RepeatedKey(f"the key {key!r} appears twice in one JSON object")
        result[key] = value
    return result
