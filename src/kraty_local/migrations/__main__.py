"""Write revision scripts from ``store/schema.py`` (a development tool; never run at start-up).

    uv run --all-extras python -m kraty_local.migrations revision -m "add lobby requests"
    uv run --all-extras python -m kraty_local.migrations baseline

``revision`` compares the schema with a scratch database at the newest revision and writes the
difference as the next revision: review it before committing. ``baseline`` rewrites the whole
history as one revision that creates today's schema; only for an unreleased schema, because
databases created from an older baseline cannot upgrade across a rewrite.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from alembic import command
from alembic.script import Script
from sqlalchemy import create_engine

from kraty_local.migrations import VERSIONS_DIR, alembic_config


def _revision_files() -> list[str]:
    return sorted(p.name for p in VERSIONS_DIR.glob("rev*.py"))


def _write(message: str, rev_id: str, *, from_head: bool) -> str:
    engine = create_engine("sqlite://")  # a scratch in-memory database
    try:
        with engine.begin() as conn:
            config = alembic_config(conn)
            if from_head:
                command.upgrade(config, "head")
            script = command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
    finally:
        engine.dispose()
    if not isinstance(script, Script):
        raise SystemExit("alembic wrote no single revision script")
    for fix in (["format", "--quiet"], ["check", "--fix", "--quiet"]):
        subprocess.run([sys.executable, "-m", "ruff", *fix, script.path], check=True)  # noqa: S603
    return script.path


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and write the revision script."""
    parser = argparse.ArgumentParser(prog="python -m kraty_local.migrations")
    sub = parser.add_subparsers(dest="command", required=True)
    revision = sub.add_parser("revision", help="write the next revision from the schema diff")
    revision.add_argument("-m", "--message", required=True, help="what the revision changes")
    sub.add_parser("baseline", help="replace every revision with one that creates the schema")
    args = parser.parse_args(argv)
    if args.command == "baseline":
        for name in _revision_files():
            (VERSIONS_DIR / name).unlink()
        path = _write("baseline", "0001", from_head=False)
    else:
        rev_id = f"{len(_revision_files()) + 1:04d}"
        path = _write(args.message, rev_id, from_head=True)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
