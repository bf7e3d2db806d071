"""The OpenAPI document as Kraty Local answers: bearer auth, and no 422 it never sends.

FastAPI documents a ``422`` ``HTTPValidationError`` on every route with parameters, but bad
input here is ``400 validation_failed`` in the error envelope (``kraty_local.errors``), which
the routes already document; only ``merge-into`` answers 422, with the envelope. Two bearer
schemes let "Try it out" in ``/docs`` send a key: a server key for ``/server/v1`` and
``/_local``, a ``client_sdk`` key for ``/sdk/v1``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

#: The security schemes: ``components.securitySchemes`` names and descriptions.
SERVER_KEY, CLIENT_KEY = "serverKey", "clientKey"
_SCHEMES = {
    SERVER_KEY: "A server key, `<prefix>.<secret>` (`kraty-admin local serve` prints one).",
    CLIENT_KEY: "A `client_sdk` key of the game client (`kraty-admin local serve` prints one).",
}
#: Operations under this prefix take a client key; every other one a server key.
_CLIENT_PREFIX = "/sdk/v1/"
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


def _answers_fastapi_422(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return str(schema.get("$ref", "")).endswith("/HTTPValidationError")


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the bearer schemes (each operation requires its surface's) and drop FastAPI's 422s."""
    for path, operations in document.get("paths", {}).items():
        scheme = CLIENT_KEY if path.startswith(_CLIENT_PREFIX) else SERVER_KEY
        for operation in operations.values():
            operation["security"] = [{scheme: []}]
            responses = operation.get("responses", {})
            if _answers_fastapi_422(responses.get("422", {})):
                del responses["422"]
    components = document.setdefault("components", {})
    for name in _FASTAPI_VALIDATION:
        components.get("schemas", {}).pop(name, None)
    components["securitySchemes"] = {
        name: {"type": "http", "scheme": "bearer", "description": description}
        for name, description in _SCHEMES.items()
    }
    return document


class DocumentedApp(FastAPI):
    """A FastAPI app whose OpenAPI document goes through :func:`complete` (once, cached)."""

    def openapi(self) -> dict[str, Any]:
        """The completed document."""
        if self.openapi_schema is None:
            self.openapi_schema = complete(super().openapi())
        return self.openapi_schema
