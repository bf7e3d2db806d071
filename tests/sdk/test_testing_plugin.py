"""The pytest plugin (``kraty_admin.testing``) is cheap to load and, without the ``[local]``
extra, fails a test that asks for ``kraty_local`` with its own install hint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_loading_the_plugin_imports_nothing_beyond_the_sdk() -> None:
    probe = (
        "import sys, pytest, kraty_admin; before = set(sys.modules); "
        "import kraty_admin.testing; print(sorted(set(sys.modules) - before))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "['kraty_admin.testing']"


def test_without_the_local_extra_the_fixture_shows_the_install_hint(tmp_path: Path) -> None:
    (tmp_path / "test_uses_it.py").write_text(
        "import sys\n"
        "sys.modules['uvicorn'] = None  # as when kraty-admin is installed without [local]\n\n"
        "def test_it(kraty_local):\n"
        "    pass\n"
    )

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    hint = "the kraty_local fixture needs Kraty Local: pip install 'kraty-admin[local]'"
    assert hint in result.stdout
    assert "No module named" not in result.stdout
    assert "Traceback" not in result.stdout
