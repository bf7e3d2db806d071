"""Schema migrations: they build exactly ``store/schema.py``, at start-up, once, on both engines."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import column, select, table

from kraty_local.db import make_engine
from kraty_local.migrations import UnversionedDatabaseError, alembic_config, upgrade
from kraty_local.services.board_rules import NEVER_RESET_PERIOD
from kraty_local.store.schema import attempts, leaderboard_entries, metadata, players

REVISION_HINT = (
    "store/schema.py and the migrations disagree: write a revision with "
    "`uv run --all-extras python -m kraty_local.migrations revision -m '...'` "
    "(or, while unreleased, regenerate the baseline with `... migrations baseline`)"
)


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_migrations_build_exactly_the_schema(empty_database_target: str) -> None:
    engine = make_engine(empty_database_target)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, metadata)
            assert context.get_current_revision() == _head()
    finally:
        engine.dispose()
    assert diff == [], f"{REVISION_HINT}:\n{diff}"


def test_concurrent_start_ups_upgrade_once(empty_database_target: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        engine = make_engine(empty_database_target)
        try:
            barrier.wait()
            upgrade(engine)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = make_engine(empty_database_target)
    try:
        upgrade(engine)  # a restart on a current database changes nothing
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == _head()
    finally:
        engine.dispose()


def test_a_current_database_starts_without_running_alembic(
    database_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("Alembic ran on a database already at the newest revision")

    monkeypatch.setattr(command, "upgrade", refuse)
    engine = make_engine(database_target)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def test_a_database_from_before_versioning_is_refused(empty_database_target: str) -> None:
    engine = make_engine(empty_database_target)
    try:
        metadata.create_all(engine)
        with pytest.raises(UnversionedDatabaseError, match="fresh database"):
            upgrade(engine)
    finally:
        engine.dispose()


def test_revision_0003_converts_existing_rows(empty_database_target: str) -> None:
    at = datetime(2029, 6, 1, tzinfo=timezone.utc)
    engine = make_engine(empty_database_target)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0002")
            game = {"studio_id": "studio_1", "game_id": "game_1"}
            conn.execute(
                players.insert().values(
                    id="p", external_player_id="old", created_at=at, updated_at=at, **game
                )
            )
            conn.execute(
                attempts.insert(),
                [
                    {
                        **game,
                        "id": f"a-{status}",
                        "player_id": "p",
                        "event_key": "weekly_race",
                        "attempt_key": status,
                        "status": status,
                        "started_at": at,
                        "created_at": at,
                        "updated_at": at,
                    }
                    for status in ("active", "completed")
                ],
            )
        upgrade(engine)
        with engine.connect() as conn:
            seen = conn.execute(select(players.c.first_seen_at, players.c.last_seen_at)).one()
            statuses = dict(conn.execute(select(attempts.c.attempt_key, attempts.c.status)).all())
    finally:
        engine.dispose()
    assert tuple(seen) == (at, at)  # backfilled from created_at
    assert statuses == {"active": "in_progress", "completed": "completed"}


def test_revision_0006_puts_existing_scores_in_the_never_reset_period(
    empty_database_target: str,
) -> None:
    at = datetime(2029, 6, 1, tzinfo=timezone.utc)
    week = datetime(2029, 5, 28, tzinfo=timezone.utc)
    game = {"studio_id": "studio_1", "game_id": "game_1"}
    entry = {**game, "leaderboard_key": "b", "segment": "", "player_id": "p", "score": 7.0}
    stamps = {"created_at": at, "updated_at": at}
    # the table as revision 0005 has it: no period_start yet
    old_entries = table(
        "leaderboard_entries",
        *(column(name) for name in [*entry, *stamps]),
    )
    engine = make_engine(empty_database_target)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0005")
            conn.execute(players.insert().values(id="p", external_player_id="x", **game, **stamps))
            conn.execute(old_entries.insert().values(**entry, **stamps))
        upgrade(engine)
        with engine.begin() as conn:
            periods = conn.execute(select(leaderboard_entries.c.period_start)).scalars().all()
            # the same player, board and segment in another period is another entry now
            conn.execute(leaderboard_entries.insert().values(**entry, **stamps, period_start=week))
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0005")
            kept = conn.execute(select(old_entries.c.score)).scalars().all()
    finally:
        engine.dispose()
    assert periods == [NEVER_RESET_PERIOD]
    assert kept == [7.0]  # a downgrade keeps the never-reset period's scores only
