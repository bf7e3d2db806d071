"""A small schema vocabulary for the reference facts, and a validator for response bodies.

A *type expression* is a string:

- ``"str"``, ``"int"``, ``"number"`` (int or float, never bool), ``"bool"``, ``"any"``;
- ``"iso"``: a string holding an ISO-8601 date or date-time (``Z`` allowed);
- ``"object"``: any JSON object (a ``Record<string, unknown>``);
- ``"list[T]"`` and ``"map[T]"`` (a ``Record<string, T>``) of another expression;
- the name of a shape in the ``types`` table passed to :func:`validate` (``"Grant"``);
- ``"A|B"``: a value of any one of the alternatives (a TypeScript union, told apart by an
  enumerated discriminator field such as ``type``).

A shape maps each field name to a :class:`F`: its type, whether it must be present, whether it
may be ``null``, and for enumerations the values it may take. Shapes are open: fields a shape
does not name are allowed (an API may add fields without breaking anyone).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_LIST = re.compile(r"^list\[(.+)\]$")
_MAP = re.compile(r"^map\[(.+)\]$")
_PRIMITIVES = {"str", "int", "number", "bool", "any", "iso", "object"}


@dataclass(frozen=True)
class F:
    """One field of a shape: ``type`` expression, presence, nullability and allowed values."""

    type: str
    required: bool = True
    nullable: bool = False
    enum: tuple[Any, ...] | None = None


Shape = Mapping[str, F]
Types = Mapping[str, Shape]


def req(type_: str, *enum: Any) -> F:
    """A field that is always present and never ``null``."""
    return F(type_, enum=enum or None)


def nul(type_: str, *enum: Any) -> F:
    """A field that is always present and may be ``null`` (``T | null``)."""
    return F(type_, nullable=True, enum=enum or None)


def opt(type_: str, *enum: Any) -> F:
    """A field that may be absent but is never ``null`` when present (``field?: T``)."""
    return F(type_, required=False, enum=enum or None)


def optnul(type_: str, *enum: Any) -> F:
    """A field that may be absent or ``null`` (``field?: T | null``)."""
    return F(type_, required=False, nullable=True, enum=enum or None)


def validate(value: Any, type_: str, types: Types, where: str = "$") -> list[str]:
    """Every way ``value`` departs from ``type_``, as ``"<path>: <problem>"`` lines."""
    if type_ == "any":
        return []
    if type_ in _PRIMITIVES:
        return [] if _is_primitive(value, type_) else [f"{where}: expected {type_}, got {value!r}"]
    element = _element(type_, _LIST)
    if element is not None:
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {value!r}"]
        return [
            p for i, v in enumerate(value) for p in validate(v, element, types, f"{where}[{i}]")
        ]
    element = _element(type_, _MAP)
    if element is not None:
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r}"]
        return [p for k, v in value.items() for p in validate(v, element, types, f"{where}.{k}")]
    if "|" in type_:
        return _validate_union(value, type_, types, where)
    if type_ not in types:
        raise KeyError(f"unknown type {type_!r}")
    if not isinstance(value, dict):
        return [f"{where}: expected a {type_} object, got {value!r}"]
    problems: list[str] = []
    for name, field in types[type_].items():
        path = f"{where}.{name}"
        if name not in value:
            if field.required:
                problems.append(f"{path}: required field missing")
            continue
        item = value[name]
        if item is None:
            if not field.nullable:
                problems.append(f"{path}: null is not allowed")
            continue
        if field.enum is not None and item not in field.enum:
            problems.append(f"{path}: {item!r} is not one of {list(field.enum)}")
            continue
        problems.extend(validate(item, field.type, types, path))
    return problems


def _validate_union(value: Any, type_: str, types: Types, where: str) -> list[str]:
    """No problem when one alternative fits; else each alternative's problems, named."""
    problems: list[str] = []
    for alternative in type_.split("|"):
        found = validate(value, alternative, types, where)
        if not found:
            return []
        problems.extend(f"{p} (as {alternative})" for p in found)
    return problems


def _element(type_: str, pattern: re.Pattern[str]) -> str | None:
    match = pattern.match(type_)
    return match.group(1) if match else None


def _is_primitive(value: Any, type_: str) -> bool:
    if type_ == "str":
        return isinstance(value, str)
    if type_ == "bool":
        return isinstance(value, bool)
    if type_ == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_ == "object":
        return isinstance(value, dict)
    return isinstance(value, str) and _is_iso(value)  # "iso"


def _is_iso(text: str) -> bool:
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        datetime.fromisoformat(candidate)
    except ValueError:
        return False
    return True


# --- example bodies built from the facts --------------------------------------------------------

_SAMPLE_VALUES: dict[str, Any] = {
    "str": "s-1",
    "int": 3,
    "number": 2.5,
    "bool": True,
    "any": {"free": "form"},
    "iso": "2026-06-11T10:00:00.000Z",
    "object": {"note": "free-form"},
}


def example(type_: str, types: Types, *, full: bool) -> Any:
    """An instance of ``type_``: every field set (``full``), or the least the type allows.

    The least instance leaves optional fields out and sets nullable fields to ``null``; lists
    hold one element either way, so nested shapes are exercised too.
    """
    if type_ in _SAMPLE_VALUES:
        return copy.deepcopy(_SAMPLE_VALUES[type_])
    element = _element(type_, _LIST)
    if element is not None:
        return [example(element, types, full=full)]
    element = _element(type_, _MAP)
    if element is not None:
        return {"metric_a": example(element, types, full=full)}
    if "|" in type_:
        return example(type_.split("|")[-1 if full else 0], types, full=full)
    body: dict[str, Any] = {}
    for name, field in types[type_].items():
        if not full and not field.required:
            continue
        if not full and field.nullable:
            body[name] = None
        elif field.enum is not None:
            body[name] = field.enum[-1] if full else field.enum[0]
        else:
            body[name] = example(field.type, types, full=full)
    return body


EXTRA_FIELD = "zzFutureField"
EXTRA_VALUE = {"addedIn": "a later API version", "nested": [1, 2]}


def with_extras(value: Any, type_: str, types: Types) -> Any:
    """A copy of ``value`` with an unknown field added to every object of a named shape in it.

    Free-form objects (``object``, ``map[...]``) are left as they are: they have no fields to
    add to.
    """
    element = _element(type_, _LIST)
    if element is not None and isinstance(value, list):
        return [with_extras(v, element, types) for v in value]
    if type_ not in types or not isinstance(value, dict):
        return copy.deepcopy(value)
    shape = types[type_]
    grown = {
        k: with_extras(v, shape[k].type, types) if k in shape else copy.deepcopy(v)
        for k, v in value.items()
    }
    grown[EXTRA_FIELD] = copy.deepcopy(EXTRA_VALUE)
    return grown
