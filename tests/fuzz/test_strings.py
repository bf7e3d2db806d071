"""Hostile strings in every path parameter, query parameter and body string: never a 5xx.

The operations and their string slots come from the server's own OpenAPI document, so a new
route or field is fuzzed without touching this file. Runs on every engine of
``database_target``: SQLite stores what PostgreSQL refuses, so one engine proves nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kraty_local.app import create_app
from kraty_local.settings import Settings

from .openapi_cases import Operation, operations
from .wire import RawClient, problem

#: NUL, other controls, lone surrogates, oversize, odd but valid Unicode, empty.
NASTY = [
    "a\x00b",
    "\x01\x1f",
    "tab\there\nline",
    "\x7f\x85",
    "x\udfffy",
    "x" * 10_000,
    "\U0001f4a5" * 300,
    "\u202e\u200b\ufeff\uffff",
    "",
    "%00",
]
#: Segments put on the request line as they are: bad escapes and bytes that are not UTF-8.
RAW_SEGMENTS = ["%zz", "%4", "%FF%FE", "%ED%A0%80", "a%00b"]

_hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=40),
    st.lists(
        st.one_of(st.characters(min_codepoint=0, max_codepoint=0x9F), st.just("\ud800")),
        max_size=10,
    ).map("".join),
    st.integers(min_value=150, max_value=3000).map(lambda n: "k" * n),
)


#: The operations, read from the app's own document at collection time (building the app does no
#: I/O), so the sweep is one test per operation that pytest-xdist can spread over its workers.
OPERATIONS = operations(create_app(Settings()).openapi())


def _sweep(client: RawClient, op: Operation) -> list[str]:
    """Every slot of one operation with every NASTY value; the problems found."""
    found = []
    for slot in op.slots():
        for value in NASTY:
            found += _check(client, op, slot, value)
        if slot[0] == "path":
            for segment in RAW_SEGMENTS:
                found += _check(client, op, slot, segment, raw=True)
    return found


def _check(
    client: RawClient, op: Operation, slot: tuple[Any, ...], value: str, *, raw: bool = False
) -> list[str]:
    target, body = op.request(slot, value, raw=raw)
    answer = client.send(op.method, target, body)
    issue = problem(answer)
    return [] if issue is None else [f"{op.method} {op.template} {slot} {value[:40]!r}: {issue}"]


def test_the_sweep_covers_the_served_document(openapi: dict[str, Any]) -> None:
    served = [(op.method, op.template) for op in operations(openapi)]
    assert served == [(op.method, op.template) for op in OPERATIONS]


@pytest.mark.parametrize("op", OPERATIONS, ids=[f"{op.method} {op.template}" for op in OPERATIONS])
def test_every_slot_with_every_nasty_string(raw_client: RawClient, op: Operation) -> None:
    problems = _sweep(raw_client, op)
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems[:50])


def test_hypothesis_strings_in_any_slot(raw_client: RawClient, openapi: dict[str, Any]) -> None:
    ops = operations(openapi)
    slots = [(op, slot) for op in ops for slot in op.slots()]

    @settings(
        max_examples=200,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.sampled_from(slots), _hostile_text)
    def check(case: tuple[Operation, tuple[Any, ...]], value: str) -> None:
        op, slot = case
        assert _check(raw_client, op, slot, value) == []

    check()
