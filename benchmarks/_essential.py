"""The essential work of one wallet credit, twice: as a tiny app on Kraty Local's own stack, and
as a raw ``sqlite3`` loop (the floor).

A credit must, in one write transaction: claim its idempotency key with the stored answer, add
to the balance (creating the holding at zero) and read the new value back, append a ledger row,
and queue a webhook event. That is four statements; everything else Kraty Local does per request
(auth, rate limit, request ids, audit, the player row...) is what the benchmark's ratio prices.

Serve the app with ``python -m benchmarks._essential PORT DB``.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import uuid
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel


class CreditIn(BaseModel):
    """The credit body."""

    amount: int
    idempotencyKey: str


SCHEMA = [
    "CREATE TABLE IF NOT EXISTS idem (scope_hash TEXT PRIMARY KEY, status INTEGER, body TEXT)",
    "CREATE TABLE IF NOT EXISTS wallets (id INTEGER PRIMARY KEY, player_id TEXT NOT NULL,"
    " economy_key TEXT NOT NULL, balance INTEGER NOT NULL, UNIQUE (player_id, economy_key))",
    "CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY, wallet_id INTEGER NOT NULL,"
    " delta INTEGER NOT NULL, balance_after INTEGER NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, payload TEXT NOT NULL,"
    " created_at TEXT NOT NULL)",
]
_UPSERT = (
    "INSERT INTO wallets (player_id, economy_key, balance) VALUES (?, ?, ?)"
    " ON CONFLICT (player_id, economy_key) DO UPDATE SET balance = balance + excluded.balance"
    " RETURNING id, balance"
)


def prepare(db: str) -> None:
    """Create the essential tables in a SQLite file (WAL, as Kraty Local runs)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    for statement in SCHEMA:
        conn.execute(statement)
    conn.close()


def floor(db: str, credits: int, players: int = 64) -> None:
    """``credits`` credits with raw ``sqlite3``: the same four statements, no HTTP, no ORM."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous=NORMAL")
    run = uuid.uuid4().hex
    for n in range(credits):
        now = datetime.now(timezone.utc).isoformat()
        conn.execute("BEGIN IMMEDIATE")
        wallet_id, balance = conn.execute(_UPSERT, (f"p{n % players}", "gold", 1)).fetchone()
        conn.execute(
            "INSERT INTO ledger (wallet_id, delta, balance_after, created_at) VALUES (?, ?, ?, ?)",
            (wallet_id, 1, balance, now),
        )
        conn.execute(
            "INSERT INTO outbox (id, payload, created_at) VALUES (?, ?, ?)",
            (str(uuid.uuid4()), json.dumps({"balance": balance, "delta": 1}), now),
        )
        conn.execute(
            "INSERT INTO idem (scope_hash, status, body) VALUES (?, ?, ?)",
            (f"{run}-{n}", 200, json.dumps({"data": {"balance": balance}})),
        )
        conn.execute("COMMIT")
    conn.close()


def create_app(db: str) -> Any:
    """The same stack as Kraty Local (FastAPI, pydantic, SQLAlchemy Core on a pooled engine),
    doing only the four statements, built per request as Core constructs."""
    from fastapi import FastAPI
    from sqlalchemy import (
        Column,
        Integer,
        MetaData,
        String,
        Table,
        create_engine,
        event,
        insert,
    )
    from sqlalchemy.dialects.sqlite import insert as upsert

    meta = MetaData()
    idem = Table(
        "idem",
        meta,
        Column("scope_hash", String, primary_key=True),
        Column("status", Integer),
        Column("body", String),
    )
    wallets = Table(
        "wallets",
        meta,
        Column("id", Integer, primary_key=True),
        Column("player_id", String),
        Column("economy_key", String),
        Column("balance", Integer),
    )
    ledger = Table(
        "ledger",
        meta,
        Column("id", Integer, primary_key=True),
        Column("wallet_id", Integer),
        Column("delta", Integer),
        Column("balance_after", Integer),
        Column("created_at", String),
    )
    outbox = Table(
        "outbox",
        meta,
        Column("id", String, primary_key=True),
        Column("payload", String),
        Column("created_at", String),
    )
    engine = create_engine(f"sqlite:///{db}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")
        dbapi_conn.execute("PRAGMA busy_timeout=5000")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    app = FastAPI()

    @app.post("/server/v1/players/{player_id}/wallet/{economy_key}/credit")
    def credit(player_id: str, economy_key: str, body: CreditIn) -> dict[str, Any]:
        now = datetime.now(timezone.utc).isoformat()
        with engine.begin() as conn:
            stmt = upsert(wallets).values(
                player_id=player_id, economy_key=economy_key, balance=body.amount
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["player_id", "economy_key"],
                set_={"balance": wallets.c.balance + stmt.excluded.balance},
            ).returning(wallets.c.id, wallets.c.balance)
            wallet_id, balance = conn.execute(stmt).one()
            conn.execute(
                insert(ledger).values(
                    wallet_id=wallet_id, delta=body.amount, balance_after=balance, created_at=now
                )
            )
            conn.execute(
                insert(outbox).values(
                    id=str(uuid.uuid4()),
                    payload=json.dumps({"balance": balance, "delta": body.amount}),
                    created_at=now,
                )
            )
            answer = {"economyKey": economy_key, "balance": balance, "applied": True}
            conn.execute(
                insert(idem).values(
                    scope_hash=body.idempotencyKey, status=200, body=json.dumps({"data": answer})
                )
            )
        return {"data": answer}

    @app.get("/server/v1/ping")
    def ping() -> dict[str, bool]:
        return {"ok": True}

    return app


if __name__ == "__main__":
    import uvicorn

    port, database = int(sys.argv[1]), sys.argv[2]
    prepare(database)
    uvicorn.run(
        create_app(database), host="127.0.0.1", port=port, access_log=False, log_level="warning"
    )
