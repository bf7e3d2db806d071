"""What ``import kraty_admin`` loads, and the path encoding fast path (both for speed)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kraty_admin
from kraty_admin._core import API_PREFIX, path
from kraty_admin._http import LIBRARY

RESOURCE_MODULES = ["events", "grants", "health", "inventory", "leaderboards", "lobbies"]
RESOURCE_MODULES += ["migrate", "players", "wallet"]
LOADED_ON_FIRST_USE = [
    "anyio",
    "typing_extensions",
    "concurrent.futures",
    "uuid",
    "kraty_admin.types",
    "kraty_admin._async_client",
    "kraty_admin._webhooks",
    "kraty_admin._telemetry",
    "kraty_admin._migration",
    "kraty_admin._config",
    "kraty_admin._raw",
    *(f"kraty_admin._resources.{name}" for name in RESOURCE_MODULES),
]


def test_import_loads_only_what_a_sync_client_needs() -> None:
    """Beyond what the HTTP library itself imports (httpx2 loads ``typing_extensions``)."""
    probe = (
        f"import sys; import {LIBRARY}; ours = set({LOADED_ON_FIRST_USE!r}) - set(sys.modules); "
        "import kraty_admin; print(sorted(m for m in ours if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_only_the_http_module_imports_an_http_library() -> None:
    """``kraty_admin._http`` picks httpx2 or httpx; the SDK, Kraty Local and the CLI use it."""
    src = Path(kraty_admin.__file__).parents[1]
    importing = re.compile(r"^\s*(import|from)\s+(httpx2?|httpcore2?)\b", re.MULTILINE)
    offenders = sorted(
        str(file.relative_to(src))
        for file in src.rglob("*.py")
        if importing.search(file.read_text(encoding="utf-8"))
    )
    assert offenders == ["kraty_admin/_http.py"]


def test_every_public_name_is_listed_and_others_are_not_invented() -> None:
    assert set(kraty_admin.__all__) <= set(dir(kraty_admin))
    with pytest.raises(AttributeError, match="no attribute 'KratyAdminSync'"):
        kraty_admin.KratyAdminSync  # noqa: B018


def _quoted(*segments: str) -> str:
    """The reference: every segment through ``quote``, dot segments encoded."""
    return (
        API_PREFIX
        + "/"
        + "/".join(
            s.replace(".", "%2E") if s in {".", ".."} else quote(s, safe="") for s in segments
        )
    )


SEGMENT = st.text(alphabet=st.sampled_from("aZ09_.~-/%? é"), min_size=1, max_size=6)


@given(st.lists(SEGMENT, min_size=1, max_size=5))
def test_path_skips_quote_only_when_it_changes_nothing(segments: list[str]) -> None:
    assert path(*segments) == _quoted(*segments)
