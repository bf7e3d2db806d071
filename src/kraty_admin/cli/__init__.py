"""The ``kraty-admin`` command line (needs the ``cli`` extra; ``local`` for Kraty Local)."""

from __future__ import annotations

import sys

_INSTALL_HINT = (
    "The kraty-admin command line needs optional dependencies.\n"
    "Install them with:  pip install 'kraty-admin[cli,local]'"
)


def main() -> None:
    """Entry point of the ``kraty-admin`` console script."""
    try:
        from kraty_admin.cli._app import cli
    except ImportError as exc:  # an extra is missing: say which install fixes it
        print(f"{_INSTALL_HINT}\n(missing module: {exc.name})", file=sys.stderr)
        raise SystemExit(1) from None
    cli()
