"""A Kraty webhook receiver on FastAPI.

Run it:  KRATY_WEBHOOK_SECRET=whsec_... uvicorn webhooks_fastapi:app --port 9000
(with Kraty Local: ``kraty-admin webhooks listen --forward-to http://127.0.0.1:9000/kraty/webhook``
prints the secret to use).

What every receiver must do, shown here:

1. Verify the signature on the RAW request body, before parsing it: re-serialized JSON is not
   the same bytes, and the HMAC covers the bytes.
2. Deduplicate on the event id: delivery is at least once, so the same event can arrive again
   (a retry after a timeout, a redelivery). Here a set in memory; in production use a table with
   a unique key on the id, written in the same transaction as your side effects.
3. Answer 2xx quickly, for a new event and for a duplicate alike, and 401 for a bad signature.
   Any other answer (or a timeout) makes Kraty retry.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from fastapi import FastAPI, Header, HTTPException, Request

from kraty_admin import verify_webhook


def handle(event: dict[str, Any]) -> None:
    """Your business logic, once per event id."""
    print(f"{event['eventName']} {event['id']}: {event['data']}")


def create_app(secret: str) -> FastAPI:
    """A receiver app that verifies with ``secret``; ``app.state.seen`` holds processed ids."""
    app = FastAPI()
    seen: set[str] = set()
    lock = threading.Lock()
    app.state.seen = seen

    @app.post("/kraty/webhook")
    async def kraty_webhook(request: Request, x_signature: str = Header("")) -> dict[str, bool]:
        raw = await request.body()  # the raw bytes, never a re-serialized dict
        if not verify_webhook(raw_body=raw, signature_header=x_signature, secret=secret):
            raise HTTPException(status_code=401, detail="bad signature")
        event = json.loads(raw)
        with lock:
            duplicate = event["id"] in seen
            seen.add(event["id"])
        if not duplicate:
            handle(event)
        return {"ok": True, "duplicate": duplicate}

    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(create_app(os.environ["KRATY_WEBHOOK_SECRET"]), port=9000)
elif "KRATY_WEBHOOK_SECRET" in os.environ:
    app = create_app(os.environ["KRATY_WEBHOOK_SECRET"])
