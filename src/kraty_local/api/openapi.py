"""The OpenAPI document as Kraty Local answers: bearer auth, and no 422 it never sends.

FastAPI documents a ``422`` ``HTTPValidationError`` on every route with parameters, but bad
input here is ``400 validation_failed`` in the error envelope (``kraty_local.errors``), which
the routes already document; only ``merge-into`` answers 422, with the envelope. The bearer
scheme lets "Try it out" in ``/docs`` send the server key.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

#: Name of the security scheme in ``components.securitySchemes``.
BEARER = "serverKey"
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


def _answers_fastapi_422(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return str(schema.get("$ref", "")).endswith("/HTTPValidationError")


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the bearer scheme (required by every operation) and drop FastAPI's own 422s."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if _answers_fastapi_422(responses.get("422", {})):
                del responses["422"]
    components = document.setdefault("components", {})
    for name in _FASTAPI_VALIDATION:
        components.get("schemas", {}).pop(name, None)
    components["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "A server key, `<prefix>.<secret>` (`kraty-admin local serve` prints "
            "one).",
        }
    }
    document["security"] = [{BEARER: []}]
    return document


class DocumentedApp(FastAPI):
    """A FastAPI app whose OpenAPI document goes through :func:`complete` (once, cached)."""

    def openapi(self) -> dict[str, Any]:
        """The completed document."""
        if self.openapi_schema is None:
            self.openapi_schema = complete(super().openapi())
        return self.openapi_schema
