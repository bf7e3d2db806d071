"""What every service call receives: the open transaction and who/what/when it acts for."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from kraty_local import outbox
from kraty_local.store.queries import insert_into
from kraty_local.store.schema import audit_log
from kraty_local.world import Game, World


def new_id() -> str:
    """A fresh UUID4 as text, the id format of every entity."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class OpContext:
    """One operation's environment: connection (inside the transaction), game, actor, time."""

    conn: Connection
    world: World
    game: Game
    actor: str
    now: datetime
    rng_seed: int | None = None

    def emit(self, event_name: str, data: dict[str, Any]) -> None:
        """Queue a webhook event in this transaction."""
        outbox.emit(
            self.conn,
            game=self.game,
            event_name=event_name,
            data=data,
            now=self.now,
        )

    def audit(self, action: str, player_id: str | None, details: dict[str, Any]) -> None:
        """Append an audit-log row in this transaction."""
        self.conn.execute(
            insert_into(audit_log),
            {
                "studio_id": self.game.studio_id,
                "game_id": self.game.id,
                "actor": self.actor,
                "action": action,
                "player_id": player_id,
                "details": details,
                "at": self.now,
            },
        )

    def rng(self, salt: str) -> random.Random:
        """Randomness for one decision; reproducible per ``salt`` when a seed is configured."""
        if self.rng_seed is None:
            return random.Random()
        return random.Random(f"{self.rng_seed}:{salt}")
