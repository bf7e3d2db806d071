"""Requests built from the OpenAPI document, with one string slot replaced by a chosen value.

Each operation gets a baseline request that is valid (so a mutated string travels as far as the
database): the minimal instance of its body schema with every optional field filled, real
catalog keys where the schema cannot know them, and real path ids. A *slot* is one string the
caller controls: a path parameter, a query parameter, or any string (or free-form object key)
inside the body.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

#: Values the schema cannot know: names of the default world's catalog, events and boards.
KNOWN = {
    "player_id": "fuzz-player",
    "to_player_id": "fuzz-other",
    "economy_key": "gold",
    "item_key": "sword",
    "grant_id": "00000000-0000-4000-8000-000000000000",
    "game_id": "game_1",
    "event_key": "quick_brawl",
    "lobby_id": "00000000-0000-4000-8000-000000000001",
    "board_key": "weekly_race_board",
    "leaderboard_id": "event:weekly_race:w1",
    "attempt_id": "attempt-1",
    "event_id": "00000000-0000-4000-8000-000000000002",
    "endpoint_id": "00000000-0000-4000-8000-000000000003",
    "request_id": "00000000-0000-4000-8000-000000000004",
    "friend_id": "fuzz-other",
    "blocked_id": "fuzz-other",
    "q": "fuzz",
    "currencyKey": "gold",
    "itemKey": "sword",
    "crateItemKey": "legendary_box",
    "economyKey": "gold",
    "gameId": "game_1",
    "url": "http://127.0.0.1:9/hook",
    "expiresAt": "2099-01-01T00:00:00Z",
    "occurredAt": "2030-01-01T00:00:00Z",
    "eventId": "00000000-0000-4000-8000-000000000002",
    "endpointUrl": "http://127.0.0.1:9/hook",
}
#: The one key of every free-form object (``metadata``, ``parameters``...) in a baseline.
FREE_KEY = "note"
_ROW = {"externalPlayerId": "fuzz-row", "idempotencyKey": "row-1", "reason": "import"}
#: ``rows`` of the migration bodies are free-form in the schema (each row is checked alone).
ROWS = {
    "/server/v1/migrate/players": [
        {
            "externalPlayerId": "fuzz-row",
            "idempotencyKey": "row-1",
            "contextSnapshot": {FREE_KEY: "v"},
        }
    ],
    "/server/v1/migrate/wallet": [{**_ROW, "economyKey": "gold", "amount": 1}],
    "/server/v1/migrate/inventory": [
        {**_ROW, "itemKey": "sword", "quantity": 1, "parameters": {FREE_KEY: "v"}}
    ],
}


@dataclass(frozen=True)
class Operation:
    """One method on one path template, with its baseline request."""

    method: str
    template: str
    path_params: tuple[str, ...]
    query: dict[str, str]
    body: Any

    def slots(self) -> list[tuple[str, ...]]:
        """Every caller-controlled string: ``("path", name)``, ``("query", name)``, body paths."""
        found = [("path", name) for name in self.path_params]
        found += [("query", name) for name in self.query]
        found += [("body", *where) for where in _string_paths(self.body)]
        return found

    def request(self, slot: tuple[str, ...], value: str, *, raw: bool = False) -> tuple[str, Any]:
        """The target (path and query) and body with ``slot`` set to ``value``.

        A path or query value is percent-encoded as UTF-8 (lone surrogates pass through as
        their bytes) unless ``raw``, when it goes on the request line exactly as given.
        """
        params = {name: KNOWN[name] for name in self.path_params}
        query = dict(self.query)
        body = copy.deepcopy(self.body)
        where, rest = slot[0], slot[1:]
        if where == "path":
            params[rest[0]] = value
        elif where == "query":
            query[rest[0]] = value
        else:
            body = _replace(body, rest, value)
        path = self.template
        for name, param in params.items():
            encoded = param if raw and slot == ("path", name) else _encode(param)
            path = path.replace("{" + name + "}", encoded)
        if query:
            path += "?" + urlencode(
                {k: v.encode("utf-8", "surrogatepass") for k, v in query.items()}
            )
        return path, body


def operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of the document (but ``ping``), with a valid baseline request."""
    found = []
    for template, methods in spec["paths"].items():
        for method, op in methods.items():
            params = op.get("parameters", [])
            body_schema = (
                op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ).get("schema")
            body = None if body_schema is None else _instance(body_schema, spec, None)
            if template in ROWS:
                body["rows"] = copy.deepcopy(ROWS[template])
            found.append(
                Operation(
                    method.upper(),
                    template,
                    tuple(p["name"] for p in params if p["in"] == "path"),
                    {p["name"]: KNOWN[p["name"]] for p in params if p["name"] in KNOWN},
                    body,
                )
            )
    return [op for op in found if not op.template.endswith("/ping")]


def _encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]
    return schema


def _instance(schema: dict[str, Any], spec: dict[str, Any], name: str | None) -> Any:
    """A valid instance with every optional property present."""
    schema = _resolve(schema, spec)
    if name in KNOWN:
        return KNOWN[name]
    for union in ("anyOf", "oneOf"):
        if union in schema:
            choices = [s for s in schema[union] if _resolve(s, spec).get("type") != "null"]
            return _instance(choices[0], spec, name)
    if "enum" in schema or "const" in schema:
        return schema.get("const", (schema.get("enum") or [None])[0])
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties")
        if props is None:
            return {FREE_KEY: "free-form"}
        return {key: _instance(sub, spec, key) for key, sub in props.items()}
    if kind == "array":
        return [_instance(schema.get("items", {}), spec, None)]
    if kind == "string":
        return "fuzz-" + (name or "value")
    if kind in ("integer", "number"):
        return max(1, int(schema.get("minimum", 1)))
    if kind == "boolean":
        return True
    return "fuzz"


def _string_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every string in ``value``; a dict key is addressed as ``("<key>", key)``."""
    if isinstance(value, str):
        yield prefix
    elif isinstance(value, dict):
        for key, sub in value.items():
            if key == FREE_KEY:
                yield (*prefix, "<key>", key)
            yield from _string_paths(sub, (*prefix, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _string_paths(sub, (*prefix, index))


def _replace(body: Any, where: tuple[Any, ...], value: str) -> Any:
    if not where:
        return value
    head, rest = where[0], where[1:]
    if head == "<key>":
        body[value] = body.pop(rest[0])
        return body
    body[head] = _replace(body[head], rest, value)
    return body
