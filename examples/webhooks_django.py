"""A Kraty webhook receiver as a single-file Django project.

Run it:  KRATY_WEBHOOK_SECRET=whsec_... python webhooks_django.py runserver 9000
(with Kraty Local: ``kraty-admin webhooks listen --forward-to http://127.0.0.1:9000/kraty/webhook``
prints the secret to use). In a real project the view goes in an app's ``views.py``, the secret
in settings, and the processed ids in a model with ``id = models.CharField(primary_key=True)``
written with ``get_or_create`` inside ``transaction.atomic()`` together with your side effects.

The view verifies the signature on the RAW body (``request.body``), deduplicates on the event id
(delivery is at least once; here a set in memory, per process) and answers 200 for a new event
or a duplicate, 401 for a bad signature. The view is ``csrf_exempt``: the signature is what
authenticates the caller.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kraty_admin import verify_webhook

processed: set[str] = set()
_processed_lock = threading.Lock()


def handle(event: dict[str, Any]) -> None:
    """Your business logic, once per event id."""
    print(f"{event['eventName']} {event['id']}: {event['data']}")


@csrf_exempt
@require_POST
def kraty_webhook(request: HttpRequest) -> HttpResponse:
    """Verify, deduplicate, handle."""
    raw = request.body  # the raw bytes, before any parsing
    header = request.headers.get("X-Signature", "")
    if not verify_webhook(
        raw_body=raw, signature_header=header, secret=settings.KRATY_WEBHOOK_SECRET
    ):
        return JsonResponse({"error": "bad signature"}, status=401)
    event = json.loads(raw)
    with _processed_lock:
        first_time = event["id"] not in processed
        processed.add(event["id"])
    if first_time:
        handle(event)
    return JsonResponse({"ok": True, "duplicate": not first_time})


urlpatterns = [path("kraty/webhook", kraty_webhook)]


def configure(secret: str) -> None:
    """Minimal settings for this one-file project (call once per process)."""
    settings.configure(
        DEBUG=False,
        SECRET_KEY="only-for-this-example",  # noqa: S106 - Django's own key, not the webhook's
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        KRATY_WEBHOOK_SECRET=secret,
    )


def create_app(secret: str) -> WSGIHandler:
    """The project's WSGI application, for any WSGI server (settings: first call wins)."""
    import django
    from django.core.wsgi import get_wsgi_application

    if not settings.configured:
        configure(secret)
        django.setup()
    return get_wsgi_application()


if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    configure(os.environ["KRATY_WEBHOOK_SECRET"])
    execute_from_command_line(sys.argv)
