"""A Kraty webhook receiver on Flask, deduplicating in SQLite.

Run it:  KRATY_WEBHOOK_SECRET=whsec_... flask --app webhooks_flask run --port 9000
(with Kraty Local: ``kraty-admin webhooks listen --forward-to http://127.0.0.1:9000/kraty/webhook``
prints the secret to use).

The signature is checked on the RAW body (``request.get_data()``), before any parsing. Delivery is
at least once, so the event id is recorded in a table with a unique key, in the same
transaction as the event's side effects: a redelivered event finds its id there and is
acknowledged without being processed again. Answers: 200 for a new event or a duplicate, 401 for
a bad signature; anything else makes Kraty retry. In production, point ``database`` at your own
database (the pattern is the same: unique key on the event id, one transaction).
"""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

from flask import Flask, abort, request

from kraty_admin import verify_webhook


def handle(event: dict[str, Any], db: sqlite3.Connection) -> None:
    """Your business logic, once per event id, inside the transaction that records the id."""
    print(f"{event['eventName']} {event['id']}: {event['data']}")


def create_app(secret: str, database: str = "kraty-webhooks.sqlite") -> Flask:
    """A receiver app verifying with ``secret`` and recording processed ids in ``database``."""
    app = Flask(__name__)
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE IF NOT EXISTS processed_events (id TEXT PRIMARY KEY)")

    @app.post("/kraty/webhook")
    def kraty_webhook() -> tuple[dict[str, bool], int]:
        raw = request.get_data()  # the raw bytes, before Flask parses anything
        header = request.headers.get("X-Signature", "")
        if not verify_webhook(raw_body=raw, signature_header=header, secret=secret):
            abort(401)
        event = json.loads(raw)
        db = sqlite3.connect(database, timeout=10)
        try:
            with db:  # one transaction: the id and the side effects commit together
                new = db.execute(
                    "INSERT OR IGNORE INTO processed_events (id) VALUES (?)", (event["id"],)
                ).rowcount
                if new:
                    handle(event, db)
        finally:
            db.close()
        return {"ok": True, "duplicate": not new}, 200

    return app


if "KRATY_WEBHOOK_SECRET" in os.environ:
    app = create_app(os.environ["KRATY_WEBHOOK_SECRET"])
