"""The one error a seed file can raise: every problem found, each naming its entry."""

from __future__ import annotations

from collections.abc import Sequence


class SeedError(ValueError):
    """The seed is malformed or inconsistent; nothing was applied.

    ``problems`` lists every problem found, each prefixed with where it is (``players[2]
    "alice": wallet: unknown currency 'diamonds'``).
    """

    def __init__(self, problems: Sequence[str], source: str | None = None) -> None:
        """Collect ``problems`` (at least one) found in ``source`` (a file name, if any)."""
        self.problems = list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        count = len(self.problems)
        heading = (
            f"{where}the seed has {count} problem{'s' if count != 1 else ''}; nothing was applied"
        )
        super().__init__("\n".join([heading, *(f"  - {p}" for p in self.problems)]))
