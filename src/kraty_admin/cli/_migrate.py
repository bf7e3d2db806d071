"""``kraty-admin migrate players|wallet|inventory FILE``: bulk import from JSONL or CSV.

The rows stream from the file through ``kraty.migrate.<table>_all``; only the batches in flight
(and the rows of the batch being filled) are in memory. Rows that fail go to
``<input>.failures.jsonl``; batches the server confirmed (every row applied or already
applied) are recorded in ``<input>.checkpoint.json`` so ``--resume`` can skip them.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from kraty_admin import MigrationProgress
from kraty_admin.cli._connection import connection_options, open_client
from kraty_admin.cli._output import EXIT_INTERRUPTED, CommandError, emit, json_mode
from kraty_admin.types import MigrationFailure, MigrationOutcome

TABLES = ("players", "wallet", "inventory")
MAX_BATCH_SIZE = 1000  # the API's limit per request
DEFAULT_CONCURRENCY = 4
STDIN = "-"
_INT_COLUMNS = frozenset({"amount", "quantity"})
_JSON_COLUMNS = frozenset({"contextSnapshot", "parameters"})
_CHECKPOINT_EVERY_S = 1.0

Row = dict[str, Any]
Numbered = tuple[int, Row]  # (line number in the input, row)


class InputError(click.ClickException):
    """The input cannot be read as rows; a usage error (exit status 2)."""

    exit_code = 2
    code = "input_error"


# --- reading ---------------------------------------------------------------------------------


def read_jsonl(lines: Iterable[str], name: str) -> Iterator[Numbered]:
    """One JSON object per line; blank lines are ignored."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{name}, line {number}: not valid JSON ({exc})") from None
        if not isinstance(row, dict):
            raise InputError(f"{name}, line {number}: expected a JSON object, got {line.strip()!r}")
        yield number, row


def read_csv(lines: Iterable[str], name: str) -> Iterator[Numbered]:
    """A header row naming the wire keys, then one row per line; empty cells are left out."""
    reader = csv.DictReader(lines)
    for record in reader:
        where = f"{name}, line {reader.line_num}"
        if None in record:
            raise InputError(f"{where}: more cells than header columns")
        row = {
            column: _csv_value(column, text, where)
            for column, text in record.items()
            if text not in (None, "")
        }
        yield reader.line_num, row


def _csv_value(column: str, text: str, where: str) -> Any:
    if column in _INT_COLUMNS:
        try:
            return int(text)
        except ValueError:
            raise InputError(f"{where}: {column} must be an integer, got {text!r}") from None
    if column in _JSON_COLUMNS:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise InputError(f"{where}: {column} is not valid JSON ({exc})") from None
    return text


def _count_lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))


# --- checkpoint ------------------------------------------------------------------------------


class Checkpoint:
    """The batches the server confirmed, saved as ranges of batch indexes.

    Batches finish out of order, so any set of indexes can be confirmed; the file stores it as
    ``[start, end)`` ranges. Saves are atomic and throttled: losing the last second only means
    re-sending a few batches, which their idempotency keys make harmless.
    """

    def __init__(self, path: Path, table: str, batch_size: int, confirmed: set[int]) -> None:
        self.path = path
        self.table = table
        self.batch_size = batch_size
        self.confirmed = confirmed
        self._saved_at = 0.0

    @classmethod
    def load(cls, path: Path, table: str) -> Checkpoint | None:
        """The checkpoint at ``path``, or ``None`` when there is none."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data["table"] != table:
                raise click.UsageError(
                    f"{path} is a checkpoint of a '{data['table']}' import, not '{table}'"
                )
            confirmed = {i for start, end in data["confirmed"] for i in range(start, end)}
            return cls(path, table, int(data["batchSize"]), confirmed)
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            raise click.UsageError(f"{path} is not a readable checkpoint; delete it") from None

    def confirm(self, batch_index: int) -> None:
        """Record a confirmed batch (saved within a second)."""
        self.confirmed.add(batch_index)
        if time.monotonic() - self._saved_at >= _CHECKPOINT_EVERY_S:
            self.save()

    def ranges(self) -> list[list[int]]:
        """The confirmed batch indexes as sorted ``[start, end)`` ranges."""
        ranges: list[list[int]] = []
        for index in sorted(self.confirmed):
            if ranges and ranges[-1][1] == index:
                ranges[-1][1] = index + 1
            else:
                ranges.append([index, index + 1])
        return ranges

    def confirmed_rows(self) -> list[tuple[int, int]]:
        """The rows of the confirmed batches, as ``skip_rows`` takes them."""
        size = self.batch_size
        return [(start * size, end * size) for start, end in self.ranges()]

    def save(self) -> None:
        """Write the checkpoint file atomically."""
        data = {"table": self.table, "batchSize": self.batch_size, "confirmed": self.ranges()}
        partial = self.path.with_name(self.path.name + ".tmp")
        partial.write_text(json.dumps(data), encoding="utf-8")
        os.replace(partial, self.path)
        self._saved_at = time.monotonic()


# --- the run ---------------------------------------------------------------------------------


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} rows/s", style="progress.data.speed")


class _Run:
    """Feeds numbered rows to the engine and files each finished batch.

    The sync engine reads rows and calls ``on_progress`` from the calling thread, so this needs
    no lock. The rows of unfinished batches are kept (by position) until their batch reports,
    to write failed rows out in full: at most the batches in flight.
    """

    def __init__(
        self, checkpoint: Checkpoint, failures_path: Path, progress: Progress, task: Any
    ) -> None:
        self.checkpoint = checkpoint
        self.skip = frozenset(checkpoint.confirmed)
        self.failures_path = failures_path
        self.progress = progress
        self.task = task
        self.read = 0
        self.resumed = 0
        self.rows_done = 0
        self._pending: dict[int, Numbered | tuple[None, None]] = {}
        self._failures: IO[str] | None = None

    def feed(self, numbered: Iterable[Numbered]) -> Iterator[Row]:
        """The rows for the engine, remembering those of batches that will be sent."""
        batch_size = self.checkpoint.batch_size
        for position, (line, row) in enumerate(numbered):
            self.read += 1
            if position // batch_size in self.skip:
                self.resumed += 1
                if self.resumed % batch_size == 0:
                    self._show()
            else:
                self._pending[position] = (line, row)
            yield row

    def on_progress(self, progress: MigrationProgress) -> None:
        """File a finished batch: failures to the log, a clean batch to the checkpoint."""
        for failure in progress.batch_failures:
            self._log(failure)
        start, end = progress.batch_range
        for position in range(start, end):
            self._pending.pop(position, None)
        if not progress.batch_failures:
            self.checkpoint.confirm(progress.batch_index)
        self.rows_done = progress.rows_done
        self._show()

    def finish(self) -> None:
        """Save the checkpoint and close the failures file (also after an error)."""
        self.checkpoint.save()
        if self._failures is not None:
            self._failures.close()
        self.progress.update(self.task, total=self.read, completed=self.resumed + self.rows_done)

    def _show(self) -> None:
        self.progress.update(self.task, completed=self.resumed + self.rows_done)

    def _log(self, failure: MigrationFailure) -> None:
        if self._failures is None:
            self._failures = self.failures_path.open("w", encoding="utf-8")
        line, row = self._pending.get(failure["rowIndex"], (None, None))
        entry: dict[str, Any] = {"line": line, **failure, "row": row}
        self._failures.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._failures.flush()


def _open(file: str) -> tuple[IO[str], str]:
    if file == STDIN:
        return sys.stdin, "<stdin>"
    encoding = "utf-8-sig" if file.lower().endswith(".csv") else "utf-8"
    return open(file, encoding=encoding, newline=""), file  # closed by the caller


def _summary(
    table_name: str, outcome: MigrationOutcome, resumed: int, elapsed: float, failures: Path
) -> dict[str, Any]:
    """The run's figures (the ``--json`` summary)."""
    rows_sent = outcome["applied"] + outcome["skipped"] + outcome["failed"]
    return {
        "table": table_name,
        "applied": outcome["applied"],
        "skipped": outcome["skipped"],
        "failed": outcome["failed"],
        "resumed": resumed,
        "elapsed_s": round(elapsed, 3),
        "rows_per_s": round(rows_sent / elapsed) if elapsed else 0,
        "failures_file": str(failures) if outcome["failed"] else None,
    }


def _summary_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Migration summary", show_header=False)
    table.add_row("applied", f"{summary['applied']:,}")
    table.add_row("skipped (already imported)", f"{summary['skipped']:,}")
    table.add_row("failed", f"{summary['failed']:,}", style="red" if summary["failed"] else None)
    if summary["resumed"]:
        table.add_row("resumed (not re-sent)", f"{summary['resumed']:,}")
    table.add_row("elapsed", f"{summary['elapsed_s']:.1f} s")
    table.add_row("rows/s", f"{summary['rows_per_s']:,}")
    return table


def _interrupted(file: str, checkpoint: Path) -> CommandError:
    """Ctrl-C: what was kept, and how to carry on."""
    if file == STDIN:
        how = "run it again: rows already imported come back as skipped"
    else:
        how = f"the confirmed batches are in {checkpoint}; add --resume to send only the rest"
    return CommandError("interrupted", f"Interrupted: {how}.", exit_code=EXIT_INTERRUPTED)


@click.command()
@click.argument("table", type=click.Choice(TABLES))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--batch-size",
    type=click.IntRange(1, MAX_BATCH_SIZE),
    help=f"Rows per request (1-{MAX_BATCH_SIZE}; default {MAX_BATCH_SIZE}, or the checkpoint's).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Batches sent at once.",
)
@click.option("--resume", is_flag=True, help="Skip the batches a previous run confirmed.")
@connection_options
def migrate(
    table: str,
    file: str,
    batch_size: int | None,
    concurrency: int,
    resume: bool,
    api_key: str | None,
    base_url: str | None,
) -> None:
    """Bulk-import TABLE (players, wallet or inventory) rows from FILE.

    FILE is JSONL (one object per line) or, when it ends in .csv, CSV with a header of wire
    keys (externalPlayerId, economyKey, amount, ...); '-' reads JSONL from stdin. Rows without
    an idempotencyKey get one derived from their content. Failed rows are written to
    FILE.failures.jsonl; confirmed batches to FILE.checkpoint.json, for --resume.
    Exit status: 0 all rows imported, 1 some rows failed, 2 usage or input error, 130
    interrupted (then --resume carries on).
    """
    if not api_key:
        raise click.UsageError("no API key: pass --api-key or set KRATY_SERVER_KEY")
    base = Path("stdin" if file == STDIN else file)
    checkpoint_path = base.with_name(base.name + ".checkpoint.json")
    if resume and file == STDIN:
        raise click.UsageError("--resume needs a file (stdin cannot be read twice)")
    previous = Checkpoint.load(checkpoint_path, table) if resume else None
    if previous is not None and batch_size not in (None, previous.batch_size):
        raise click.UsageError(
            f"the checkpoint was written with --batch-size {previous.batch_size}; "
            "resume with the same size"
        )
    checkpoint = previous or Checkpoint(checkpoint_path, table, batch_size or MAX_BATCH_SIZE, set())
    kraty = open_client(api_key, base_url)

    failures_path = base.with_name(base.name + ".failures.jsonl")
    failures_path.unlink(missing_ok=True)
    total = None if file == STDIN else _count_lines(base) - file.lower().endswith(".csv")
    console = Console(stderr=True)
    progress = Progress(
        TextColumn(f"[bold]{table}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=json_mode(),
    )
    run = _Run(checkpoint, failures_path, progress, progress.add_task(table, total=total))
    stream, name = _open(file)
    reader = read_csv if file.lower().endswith(".csv") else read_jsonl
    started = time.perf_counter()
    try:
        with kraty, progress:
            outcome: MigrationOutcome = getattr(kraty.migrate, f"{table}_all")(
                run.feed(reader(stream, name)),
                batch_size=checkpoint.batch_size,
                concurrency=concurrency,
                on_progress=run.on_progress,
                skip_rows=checkpoint.confirmed_rows(),
            )
    except KeyboardInterrupt:
        raise _interrupted(file, checkpoint_path) from None
    finally:
        run.finish()
        if stream is not sys.stdin:
            stream.close()
    summary = _summary(table, outcome, run.resumed, time.perf_counter() - started, failures_path)
    emit(summary, _summary_table(summary))
    if outcome["failed"]:
        failed = outcome["failed"]
        rows = "row" if failed == 1 else "rows"
        if not json_mode():
            console.print(f"[red]{failed:,} failed {rows} written to {failures_path}")
        raise SystemExit(1)
