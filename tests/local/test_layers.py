"""The layers keep to their jobs: the domain and the services speak no HTTP, and services know
nothing of the idempotency layer that wraps them from the API side."""

from __future__ import annotations

import subprocess
import sys

import pytest

FORBIDDEN = ["fastapi", "starlette", "kraty_local.idempotency", "kraty_local.errors"]
PROBE = """
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(info.name)
print(" ".join(sorted(sys.modules)))
"""


@pytest.mark.parametrize("package", ["kraty_local.services", "kraty_local.domain"])
def test_importing_every_module_leaves_the_web_layers_out(package: str) -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE, package], capture_output=True, text=True, check=True
    ).stdout.split()

    leaked = {name for name in loaded for f in FORBIDDEN if name == f or name.startswith(f + ".")}
    assert leaked == set()
