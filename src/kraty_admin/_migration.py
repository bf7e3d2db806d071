"""The pure part of the streaming migration engine, shared by the sync and async clients.

``migrate.players_all`` and its siblings cut any number of rows into batches, send several at
once and merge the answers into one outcome. Everything here is free of I/O: cutting the input
into batches with their global offsets, deriving idempotency keys, and folding each batch's
answer (or its final error) into the running totals. The clients only add the loop that sends
the batches, with threads or with tasks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kraty_admin._errors import KratyNetworkError, KratyServerError

if TYPE_CHECKING:
    from kraty_admin.types import MigrationFailure, MigrationFailureError, MigrationOutcome

MAX_BATCH_SIZE = 1000
DEFAULT_BATCH_SIZE = 1000
DEFAULT_CONCURRENCY = 4
# A batch that ends with one of these is reported row by row; anything else propagates.
BATCH_ERRORS = (KratyServerError, KratyNetworkError)
# ... except these: a key that is refused for one batch is refused for all of them.
_FATAL_STATUSES = frozenset({401, 403})
_KEY_PREFIX = "auto:"
_KEY_HEX_CHARS = 40

Row = dict[str, Any]


@dataclass(frozen=True)
class MigrationProgress:
    """What ``on_progress`` receives after each batch of a ``*_all`` import.

    ``rows_done``, ``applied``, ``skipped`` and ``failed`` are running totals over the batches
    finished so far (batches finish out of order when ``concurrency`` > 1). ``batch_index``,
    ``batch_range`` (``[start, end)`` positions in the whole input) and ``batch_failures`` (with
    global ``rowIndex`` values) describe the batch that just finished.
    """

    rows_done: int
    applied: int
    skipped: int
    failed: int
    batch_index: int
    batch_range: tuple[int, int]
    batch_failures: tuple[MigrationFailure, ...]


ProgressHook = Callable[[MigrationProgress], object]


class Batch:
    """Up to 1,000 prepared rows and where they sit in the whole input."""

    __slots__ = ("index", "rows", "start")

    def __init__(self, index: int, start: int, rows: list[Row]) -> None:
        self.index = index
        self.start = start
        self.rows = rows

    @property
    def end(self) -> int:
        """One past the global position of the last row."""
        return self.start + len(self.rows)


def check_options(batch_size: int, concurrency: int) -> None:
    """Reject a batch size outside 1..1000 or a concurrency below 1, before anything is read."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise TypeError(f"batch_size must be an int, got {batch_size!r}")
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch_size must be between 1 and {MAX_BATCH_SIZE}, got {batch_size}")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int of at least 1, got {concurrency!r}")


def derive_key(row: Mapping[str, Any]) -> str:
    """A deterministic idempotency key for a row: a hash of its canonical JSON.

    Equal rows (same keys and values, in any order) get the same key, so importing the same
    file twice applies each row once; the ``idempotencyKey`` field itself is not hashed.
    """
    content = {key: value for key, value in row.items() if key != "idempotencyKey"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return _KEY_PREFIX + digest[:_KEY_HEX_CHARS]


def prepare_row(row: Mapping[str, Any], position: int) -> Row:
    """A copy of ``row`` that carries an ``idempotencyKey`` (the caller's, or a derived one)."""
    if not isinstance(row, Mapping):
        raise TypeError(f"row {position} is a {type(row).__name__}, expected a mapping")
    prepared = dict(row)
    if prepared.get("idempotencyKey") is None:
        prepared["idempotencyKey"] = derive_key(row)
    return prepared


SkipRows = int | Iterable[tuple[int, int]]


class RowRanges:
    """Row positions given as ``[start, end)`` ranges (``skip_rows``), merged for look-ups."""

    def __init__(self, skip_rows: SkipRows = ()) -> None:
        pairs = [(0, skip_rows)] if isinstance(skip_rows, int) else list(skip_rows)
        merged: list[list[int]] = []
        for pair in sorted(pairs, key=_pair_key):
            start, end = pair
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._ranges = merged

    def covers(self, start: int, end: int) -> bool:
        """Whether every position in ``[start, end)`` is in one of the ranges."""
        return any(low <= start and end <= high for low, high in self._ranges)


def _pair_key(pair: object) -> tuple[int, int]:
    """Sort key of a valid ``(start, end)`` pair; anything else is a ``ValueError``."""
    if (
        isinstance(pair, (tuple, list))
        and len(pair) == 2
        and all(type(value) is int for value in pair)
        and 0 <= pair[0] <= pair[1]
    ):
        return pair[0], pair[1]
    raise ValueError(f"skip_rows needs (start, end) pairs with 0 <= start <= end, got {pair!r}")


class Batcher:
    """Cuts a stream of rows into batches, row by row, keeping only the batch being filled.

    A batch whose positions all lie in ``skip`` is counted but never emitted (nor are its
    rows kept), so a resumed import keeps the positions of the original run.
    """

    def __init__(self, batch_size: int, skip: RowRanges | None = None) -> None:
        self._size = batch_size
        self._skip = skip or RowRanges()
        self._index = 0
        self._position = 0
        self._skipping = False
        self._rows: list[Row] = []

    def push(self, row: Mapping[str, Any]) -> list[Batch]:
        """Add one row; the batch it completes, if any (a list of zero or one)."""
        if self._position % self._size == 0:
            self._skipping = self._skip.covers(self._position, self._position + self._size)
        if not self._skipping:
            self._rows.append(prepare_row(row, self._position))
        self._position += 1
        return self._cut() if self._position % self._size == 0 else []

    def close(self) -> list[Batch]:
        """The last, partial batch, if any (a list of zero or one)."""
        if self._position % self._size == 0:
            return []
        self._skipping = self._skipping or self._skip.covers(
            self._index * self._size, self._position
        )
        return self._cut()

    def _cut(self) -> list[Batch]:
        batch = Batch(self._index, self._index * self._size, self._rows)
        self._index += 1
        self._rows = []
        return [] if self._skipping else [batch]


def iter_batches(rows: Iterable[Mapping[str, Any]], batcher: Batcher) -> Iterator[Batch]:
    """The batches of ``rows``, pulled lazily: one batch is built at a time."""
    for row in rows:
        yield from batcher.push(row)
    yield from batcher.close()


async def aiter_batches(
    rows: Iterable[Mapping[str, Any]] | AsyncIterable[Mapping[str, Any]], batcher: Batcher
) -> AsyncGenerator[Batch, None]:
    """:func:`iter_batches` for an async iterable (a plain iterable works too)."""
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            for batch in batcher.push(row):
                yield batch
    else:
        for row in rows:
            for batch in batcher.push(row):
                yield batch
    for batch in batcher.close():
        yield batch


def batch_error(exc: KratyServerError | KratyNetworkError) -> MigrationFailureError:
    """The ``error`` reported on each row of a batch that failed as a whole."""
    if isinstance(exc, KratyServerError):
        return {"code": exc.code, "message": exc.api_message}
    return {"code": "network_error", "message": str(exc)}


class Tally:
    """The running outcome of an import; folds in each batch as it finishes.

    Called from one thread (or task) at a time, and so is ``on_progress``.
    """

    def __init__(self, on_progress: ProgressHook | None = None) -> None:
        self.on_progress = on_progress
        self.applied = 0
        self.skipped = 0
        self.failed = 0
        self.rows_done = 0
        self.failures: list[MigrationFailure] = []

    def settle(
        self, batch: Batch, result: MigrationOutcome | KratyServerError | KratyNetworkError
    ) -> None:
        """Fold in a batch's answer, or its final error (a refused API key is re-raised)."""
        if isinstance(result, BaseException):
            if isinstance(result, KratyServerError) and result.status in _FATAL_STATUSES:
                raise result
            self._add(batch, len(batch.rows), 0, 0, self._failed_batch(batch, result))
        else:
            failures: list[MigrationFailure] = []
            for failure in result["failures"]:
                shifted = failure.copy()
                shifted["rowIndex"] += batch.start
                failures.append(shifted)
            self._add(batch, result["failed"], result["applied"], result["skipped"], failures)

    def outcome(self) -> MigrationOutcome:
        """The outcome of the whole import, failures in input order."""
        return {
            "applied": self.applied,
            "skipped": self.skipped,
            "failed": self.failed,
            "failures": sorted(self.failures, key=lambda failure: failure["rowIndex"]),
        }

    def _failed_batch(
        self, batch: Batch, exc: KratyServerError | KratyNetworkError
    ) -> list[MigrationFailure]:
        error = batch_error(exc)
        failures: list[MigrationFailure] = []
        for offset, row in enumerate(batch.rows):
            failure: MigrationFailure = {
                "rowIndex": batch.start + offset,
                "error": error,
                "batchRange": [batch.start, batch.end],
            }
            player = row.get("externalPlayerId")
            if isinstance(player, str):
                failure["externalPlayerId"] = player
            failures.append(failure)
        return failures

    def _add(
        self,
        batch: Batch,
        failed: int,
        applied: int,
        skipped: int,
        failures: list[MigrationFailure],
    ) -> None:
        self.applied += applied
        self.skipped += skipped
        self.failed += failed
        self.rows_done += len(batch.rows)
        self.failures.extend(failures)
        if self.on_progress is not None:
            self.on_progress(
                MigrationProgress(
                    rows_done=self.rows_done,
                    applied=self.applied,
                    skipped=self.skipped,
                    failed=self.failed,
                    batch_index=batch.index,
                    batch_range=(batch.start, batch.end),
                    batch_failures=tuple(failures),
                )
            )
