"""DESIGN.md's contract writes ``rtagents.emulator.Emulator(...)`` and
``app = rtagents.calls.CallServer(...)`` (README: "`rtagents.calls.CallServer` answers ...",
docs/calls.md:7 the same), but after a plain ``import rtagents`` neither attribute exists:
AttributeError: module 'rtagents' has no attribute 'calls'. (`rtagents.mcp` and
`rtagents.protocol` work because __init__ imports them.) Right: resolve these subpackages
lazily in rtagents.__getattr__ (importlib.import_module), keeping the import cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "expr", ["rtagents.emulator.Emulator", "rtagents.calls.CallServer", "rtagents.audio.read_wav"]
)
def test_contract_names_resolve_after_a_plain_import(expr: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"import rtagents; print({expr})"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1]
