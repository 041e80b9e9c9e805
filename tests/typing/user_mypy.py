"""mypy --strict on a user's file, with rtagents as an installed dependency (its own modules
followed silently, as mypy does for a package in site-packages)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CONFIG = """
[mypy]
strict = True
[mypy-rtagents.*]
follow_imports = silent
[mypy-docstring_parser.*,soxr.*,sounddevice.*]
ignore_missing_imports = True
"""


def mypy(folder: Path, source: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy")
    (folder / "user_code.py").write_text(source)
    (folder / "mypy.ini").write_text(CONFIG)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            "mypy.ini",
            "--cache-dir",
            ".mypy",
            "user_code.py",
        ],
        cwd=folder,
        env=dict(os.environ, MYPYPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=590,
    )
