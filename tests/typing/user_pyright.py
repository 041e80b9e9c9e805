"""pyright --strict on a user's file (rtagents found on the path, its dependencies in this
venv): the venv's pyright (a dev dependency), else ``$PYRIGHT`` or one on PATH; skipped
where there is none (the floors' venv)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pyright(folder: Path, source: str) -> subprocess.CompletedProcess[str]:
    beside = Path(sys.executable).parent / "pyright"  # (the venv's, a dev dependency)
    binary = os.environ.get("PYRIGHT") or (str(beside) if beside.exists() else None)
    binary = binary or shutil.which("pyright")
    if not binary:
        pytest.skip("pyright is not installed (pip install pyright, or set $PYRIGHT)")
    (folder / "user_code.py").write_text(source)
    config = {
        "typeCheckingMode": "strict",
        "pythonVersion": f"{sys.version_info.major}.{sys.version_info.minor}",
        "extraPaths": [str(ROOT)],
        "include": ["user_code.py"],
        "reportUnusedVariable": False,
    }
    (folder / "pyrightconfig.json").write_text(json.dumps(config))
    return subprocess.run(
        [binary, "--pythonpath", sys.executable, "user_code.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=590,
    )


def errors_on(result: subprocess.CompletedProcess[str], source: str, line: str) -> list[str]:
    """pyright's errors on the line of ``source`` that reads ``line`` (stripped)."""
    number = 1 + [text.strip() for text in source.splitlines()].index(line)
    return [
        text
        for text in result.stdout.splitlines()
        if f"user_code.py:{number}:" in text and " - error: " in text
    ]
