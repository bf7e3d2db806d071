"""``kraty.migrate``: bulk import of players, wallet balances and inventory.

``players``, ``wallet`` and ``inventory`` send one batch of up to 1,000 rows. ``players_all``,
``wallet_all`` and ``inventory_all`` stream any number of rows through those endpoints, several
batches at a time: :class:`SyncMigrate` does it with threads, :class:`AsyncMigrate` with tasks,
around the shared logic in :mod:`kraty_admin._migration`.
"""

from __future__ import annotations

import inspect
from collections.abc import (
    AsyncIterable,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeAlias, TypeVar, overload

from kraty_admin._core import Call, path
from kraty_admin._errors import KratyNetworkError, KratyServerError
from kraty_admin._migration import (
    BATCH_ERRORS,
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    Batch,
    Batcher,
    ProgressHook,
    Row,
    RowRanges,
    SkipRows,
    Tally,
    aiter_batches,
    check_options,
    iter_batches,
)
from kraty_admin._resources._endpoint import (
    AsyncSender,
    Resource,
    SyncSender,
    endpoint,
    evaluated_signature,
)

if TYPE_CHECKING:
    from concurrent.futures import Future

    from kraty_admin.types import (
        MigrateInventoryRow,
        MigratePlayerRow,
        MigrateWalletRow,
        MigrationOutcome,
    )

    BatchResult: TypeAlias = MigrationOutcome | KratyServerError | KratyNetworkError

S = TypeVar("S")
R_contra = TypeVar("R_contra", contravariant=True)
R = TypeVar("R")


def _batch(
    table: str, rows: Sequence[Mapping[str, Any]], idempotency_key: str | None
) -> Call[MigrationOutcome]:
    return Call.post(path("migrate", table), {"rows": [dict(row) for row in rows]}, idempotency_key)


def _players(
    rows: Sequence[MigratePlayerRow | Mapping[str, Any]], *, idempotency_key: str | None = None
) -> Call[MigrationOutcome]:
    """Create or update up to 1,000 players; each row is idempotent on its ``idempotencyKey``."""
    return _batch("players", rows, idempotency_key)


def _wallet(
    rows: Sequence[MigrateWalletRow | Mapping[str, Any]], *, idempotency_key: str | None = None
) -> Call[MigrationOutcome]:
    """Import up to 1,000 wallet credits for existing players; bad rows fail alone."""
    return _batch("wallet", rows, idempotency_key)


def _inventory(
    rows: Sequence[MigrateInventoryRow | Mapping[str, Any]],
    *,
    idempotency_key: str | None = None,
) -> Call[MigrationOutcome]:
    """Import up to 1,000 inventory holdings for existing players; bad rows fail alone."""
    return _batch("inventory", rows, idempotency_key)


class SyncImport(Protocol[R_contra]):
    """``migrate.<table>_all`` on :class:`~kraty_admin.KratyAdmin`."""

    def __call__(
        self,
        rows: Iterable[R_contra],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_progress: ProgressHook | None = None,
        skip_rows: SkipRows = (),
    ) -> MigrationOutcome: ...


class AsyncImport(Protocol[R_contra]):
    """``migrate.<table>_all`` on :class:`~kraty_admin.KratyAdminAsync`."""

    def __call__(
        self,
        rows: Iterable[R_contra] | AsyncIterable[R_contra],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_progress: ProgressHook | None = None,
        skip_rows: SkipRows = (),
    ) -> Awaitable[MigrationOutcome]: ...


class bulk(Generic[R]):
    """Expose a batch endpoint as an import of any number of rows (``players_all``...).

    Rows are read lazily and sent in batches of ``batch_size`` (at most 1,000), up to
    ``concurrency`` batches at once, each retried under the client's retry policy; at most
    about ``concurrency + 1`` batches are held in memory, so the input can be a generator of
    any length. Rows without an ``idempotencyKey`` get one derived from their content, so
    identical rows count once and re-running an import is safe; the rows passed in are never
    modified. The outcome's ``rowIndex`` values are positions in the whole input; the rows of a
    batch that still failed after every retry are each reported in ``failures``, with the
    error and the ``batchRange`` ``[start, end)`` of the batch. A refused API key (401/403)
    raises instead. ``on_progress`` is called with a :class:`MigrationProgress` after each
    batch, from one thread at a time.

    To resume an import, pass the same rows and ``batch_size`` with ``skip_rows``: the
    ``batch_range`` of every batch whose progress had no ``batch_failures`` (``[start, end)``
    pairs), or a row count to skip from the start. Batches lying wholly inside those ranges
    are read but not sent, so positions and ``rowIndex`` values stay those of the whole input;
    a batch only partly inside is sent whole (its rows' idempotency keys make that harmless).
    """

    def __init__(self, table: str) -> None:
        self._table = table

    @overload
    def __get__(self, resource: None, owner: type) -> bulk[R]: ...

    @overload
    def __get__(self, resource: SyncMigrate, owner: type) -> SyncImport[R]: ...

    @overload
    def __get__(self, resource: AsyncMigrate, owner: type) -> AsyncImport[R]: ...

    def __get__(self, resource: Any, owner: type) -> Any:
        if resource is None:
            return self
        send_batch = getattr(resource, self._table)
        import_rows = resource._import_rows

        if inspect.iscoroutinefunction(import_rows):

            async def import_all_async(rows: Any, **options: Any) -> Any:
                return await import_rows(send_batch, rows, **options)

            import_all: Any = import_all_async
        else:

            def import_all_sync(rows: Any, **options: Any) -> Any:
                return import_rows(send_batch, rows, **options)

            import_all = import_all_sync
        name = f"{self._table}_all"
        import_all.__name__ = name
        import_all.__qualname__ = f"{type(resource).__name__}.{name}"
        import_all.__doc__ = f"Import any number of ``{self._table}`` rows.\n\n{self.__doc__}"
        import_all.__signature__ = _import_signature(import_rows)
        resource.__dict__[name] = import_all
        return import_all


def _import_signature(import_rows: Callable[..., Any]) -> inspect.Signature:
    """``_import_rows``'s signature without its ``send_batch`` parameter."""
    signature = evaluated_signature(import_rows)
    _send_batch, *rest = signature.parameters.values()
    return signature.replace(parameters=rest)


class Migrate(Resource[S]):
    """Bulk import in batches of up to 1,000 rows; webhooks are not emitted."""

    players = endpoint(_players)
    wallet = endpoint(_wallet)
    inventory = endpoint(_inventory)
    players_all: bulk[MigratePlayerRow | Mapping[str, Any]] = bulk("players")
    wallet_all: bulk[MigrateWalletRow | Mapping[str, Any]] = bulk("wallet")
    inventory_all: bulk[MigrateInventoryRow | Mapping[str, Any]] = bulk("inventory")


class SyncMigrate(Migrate[SyncSender]):
    """``kraty.migrate`` on :class:`~kraty_admin.KratyAdmin`: batches are sent from threads."""

    def _import_rows(
        self,
        send_batch: Callable[[list[Row]], MigrationOutcome],
        rows: Iterable[Mapping[str, Any]],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_progress: ProgressHook | None = None,
        skip_rows: SkipRows = (),
    ) -> MigrationOutcome:
        """Stream ``rows`` through ``send_batch``; see :class:`bulk`.

        Batches are pulled from ``rows``, sent and settled in the calling thread's loop (only
        the HTTP calls run in worker threads), so ``on_progress`` and the iteration of ``rows``
        never run concurrently.
        """
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, as_completed, wait

        check_options(batch_size, concurrency)
        skip = RowRanges(skip_rows)
        tally = Tally(on_progress)

        def attempt(batch: Batch) -> BatchResult:
            try:
                return send_batch(batch.rows)
            except BATCH_ERRORS as exc:
                return exc

        in_flight: dict[Future[BatchResult], Batch] = {}

        def settle(futures: Iterable[Future[BatchResult]]) -> None:
            for future in futures:
                tally.settle(in_flight.pop(future), future.result())

        with ThreadPoolExecutor(concurrency, thread_name_prefix="kraty-migrate") as pool:
            for batch in iter_batches(rows, Batcher(batch_size, skip)):
                if len(in_flight) >= concurrency:
                    settle(wait(in_flight, return_when=FIRST_COMPLETED).done)
                in_flight[pool.submit(attempt, batch)] = batch
            settle(as_completed(list(in_flight)))
        return tally.outcome()


class AsyncMigrate(Migrate[AsyncSender]):
    """``kraty.migrate`` on :class:`~kraty_admin.KratyAdminAsync`: batches are sent from tasks."""

    async def _import_rows(
        self,
        send_batch: Callable[[list[Row]], Awaitable[MigrationOutcome]],
        rows: Iterable[Mapping[str, Any]] | AsyncIterable[Mapping[str, Any]],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_progress: ProgressHook | None = None,
        skip_rows: SkipRows = (),
    ) -> MigrationOutcome:
        """Stream ``rows`` through ``send_batch``; see :class:`bulk`.

        Works on any anyio backend (asyncio, trio). Batches are pulled and settled by the
        calling task (only the HTTP calls run in child tasks), so ``on_progress`` and the
        iteration of ``rows`` never run concurrently. An error stops the import: in-flight
        batches are cancelled and the error is raised as is (not in an exception group).
        """
        import anyio  # imported on first use, as the sync client never needs it

        check_options(batch_size, concurrency)
        skip = RowRanges(skip_rows)
        tally = Tally(on_progress)
        send_result, results = anyio.create_memory_object_stream["tuple[Batch, BatchResult]"](
            concurrency
        )

        async def attempt(batch: Batch) -> None:
            result: BatchResult
            try:
                result = await send_batch(batch.rows)
            except BATCH_ERRORS as exc:
                result = exc
            await send_result.send((batch, result))

        async def settle_one() -> None:
            tally.settle(*await results.receive())

        error: Exception | None = None
        async with send_result, results, anyio.create_task_group() as tasks:
            try:
                in_flight = 0
                # Closed here even when a batch raises, not left to the garbage collector.
                async with aclosing(aiter_batches(rows, Batcher(batch_size, skip))) as batches:
                    async for batch in batches:
                        if in_flight >= concurrency:
                            await settle_one()
                            in_flight -= 1
                        tasks.start_soon(attempt, batch)
                        in_flight += 1
                for _ in range(in_flight):
                    await settle_one()
            except Exception as exc:  # leave the task group cleanly, then raise it unwrapped
                error = exc
                tasks.cancel_scope.cancel()
        if error is not None:
            raise error
        return tally.outcome()
