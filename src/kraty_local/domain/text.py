"""What text every engine can store, and what makes a usable id or key.

PostgreSQL refuses NUL in text and no driver stores what is not UTF-8, while SQLite would keep
either: these rules refuse such input the same way on both engines, wherever it comes from (a
request body, a path, a seed file).
"""

from __future__ import annotations

import re

# Unicode's control characters (category Cc): C0, DEL and C1, fixed by Unicode's stability policy.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text on every engine, or ``None``."""
    if "\x00" in value:
        return "must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode (it holds an unpaired surrogate)"
    return None


def id_problem(value: str) -> str | None:
    """Why ``value`` is not a usable id or key (text with no control character), or ``None``."""
    problem = text_problem(value)
    if problem is None and _CONTROL.search(value):
        problem = "must not contain control characters"
    return problem
