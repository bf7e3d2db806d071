"""The fenced code blocks of README.md, with what the README says about running them.

An HTML comment right above a fence (one directive per comment, several comments allowed)
says how the block is tested:

- ``<!-- readme-test: skip: REASON -->``: not run, and why (every block that is not Python
  needs one, so a new block is a decision, not an oversight);
- ``<!-- readme-test: setup: CODE -->``: hidden Python run first, in the block's namespace
  (the names a fragment assumes: ``kraty``, a ``receipt``...);
- ``<!-- readme-test: pytest -->``: the block is a test module; its ``test_*`` functions are
  called with the ``kraty_local`` fixture.

Every other Python block runs as written against the test's Kraty Local, reached through
``KRATY_BASE_URL`` and ``KRATY_SERVER_KEY`` as the README tells a reader to set them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"
_FENCE = re.compile(r"^```(?P<language>[\w-]*)\s*$")
_DIRECTIVE = re.compile(
    r"^<!-- readme-test: (?P<kind>skip|setup|pytest)(?::\s*(?P<text>.*?))?\s*-->$"
)
PYTHON = "python"


@dataclass
class Block:
    """One fenced block: where it starts, its language, code and directives."""

    line: int
    language: str
    code: str
    skip: str | None = None
    setup: list[str] = field(default_factory=list)
    pytest: bool = False

    @property
    def name(self) -> str:
        """``README.md:<line>`` (the test id)."""
        return f"README.md:{self.line}"


def _apply(block: Block, directive: re.Match[str]) -> None:
    kind, text = directive["kind"], (directive["text"] or "").strip()
    if kind in ("skip", "setup") and not text:
        raise ValueError(f"{block.name}: '{kind}' needs a reason or code after the colon")
    if kind == "skip":
        block.skip = text
    elif kind == "setup":
        block.setup.append(text)
    else:
        block.pytest = True


def read_blocks(path: Path = README) -> list[Block]:
    """Every fenced block of ``path``, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        block = Block(index + 1, opening["language"], "\n".join(lines[index + 1 : end]) + "\n")
        above = index - 1
        while above >= 0 and (directive := _DIRECTIVE.match(lines[above].strip())):
            _apply(block, directive)
            above -= 1
        blocks.append(block)
        index = end + 1
    return blocks
