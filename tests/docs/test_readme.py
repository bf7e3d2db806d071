"""Every code block of README.md runs, or says why it cannot (see ``readme_blocks``)."""

from __future__ import annotations

import ast
import asyncio
import inspect
from pathlib import Path
from typing import Any

import pytest

from kraty_admin import KratyAdmin
from kraty_admin.testing import KratyLocal

from .readme_blocks import PYTHON, Block, read_blocks

BLOCKS = read_blocks()


def test_every_block_runs_or_says_why_not() -> None:
    undecided = [b.name for b in BLOCKS if b.language != PYTHON and b.skip is None]
    assert undecided == []
    assert sum(b.skip is None for b in BLOCKS) >= 15


def _run(block: Block, namespace: dict[str, Any]) -> None:
    """Run the block's setup then its code; top-level ``await`` runs on asyncio."""
    for code in [*block.setup, block.code]:
        compiled = compile(code, block.name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(compiled, namespace)  # noqa: S307 (the README's own code)
        if inspect.iscoroutine(result):
            asyncio.run(result)


def _run_tests_of(namespace: dict[str, Any], kraty_local: KratyLocal) -> None:
    """Call the block's ``test_*`` functions as pytest would, with the ``kraty_local`` fixture
    (in turn, on one server: the README's tests do not depend on a fresh state)."""
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert tests
    for test in tests:
        assert list(inspect.signature(test).parameters) == ["kraty_local"]
        test(kraty_local)


@pytest.mark.parametrize(
    "block",
    [b for b in BLOCKS if b.language == PYTHON and b.skip is None],
    ids=lambda block: block.name,
)
def test_block(
    block: Block,
    kraty_local: KratyLocal,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KRATY_BASE_URL", kraty_local.base_url)
    monkeypatch.setenv("KRATY_SERVER_KEY", kraty_local.api_key)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "readme"}
    try:
        _run(block, namespace)
        if block.pytest:
            _run_tests_of(namespace, kraty_local)
    finally:  # the clients a fragment's setup opened and the block left open
        for value in namespace.values():
            if isinstance(value, KratyAdmin):
                value.close()
