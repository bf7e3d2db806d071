"""The ``kraty_admin`` logger and the ``KRATY_LOG`` switch.

One DEBUG line per HTTP attempt and one INFO line per retry; never the API key, a webhook
secret or a request body. Configure it like any logger, or set ``KRATY_LOG=debug`` (or
``info``) to have the SDK print its lines to stderr.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("kraty_admin")

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def setup_from_env() -> None:
    """Honour ``KRATY_LOG``: give the logger a stderr handler at that level (once)."""
    level = _LEVELS.get(os.environ.get("KRATY_LOG", "").strip().lower())
    if level is None:
        return
    logger.setLevel(level)
    if not any(getattr(h, "_kraty_log", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s %(levelname)s %(name)s] %(message)s"))
        handler._kraty_log = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
