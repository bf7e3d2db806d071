"""Writing a seed document as JSON laid out the way people write it by hand.

One line per top-level field and per list entry; each player's fields on lines of their own,
with small values (identity, wallet, items) kept on one line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_INDENT = "  "


def dump_seed(document: Mapping[str, Any]) -> str:
    """The JSON text of a seed document (UTF-8 characters kept as they are), newline-ended."""
    fields = []
    for name, value in document.items():
        key = _compact(name)
        if isinstance(value, list) and value:
            entries = [_entry(entry, depth=2) for entry in value]
            inner = ",\n".join(f"{_INDENT * 2}{entry}" for entry in entries)
            fields.append(f"{_INDENT}{key}: [\n{inner}\n{_INDENT}]")
        else:
            fields.append(f"{_INDENT}{key}: {_compact(value)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def _entry(entry: Any, depth: int) -> str:
    """A player (a mapping with more than one field) spread over lines; anything else on one."""
    if not isinstance(entry, Mapping) or "externalPlayerId" not in entry or len(entry) == 1:
        return _compact(entry)
    pad = _INDENT * (depth + 1)
    lines = ",\n".join(f"{pad}{_compact(k)}: {_compact(v)}" for k, v in entry.items())
    return "{\n" + lines + "\n" + _INDENT * depth + "}"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
