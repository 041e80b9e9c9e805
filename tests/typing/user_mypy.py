"""mypy --strict on a user's file, with rtagents as an installed dependency (its own modules
followed silently, as mypy does for a package in site-packages)."""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
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


# One cache for this process's runs (an xdist worker runs one test at a time): rtagents and
# its dependencies are analysed once, not once per test (15-20 s each). The user's file is
# always checked afresh: mypy trusts a cached module whose file has the same size and
# whole-second mtime (another test's program may well have both), so each run's file gets
# an mtime of its own, and mypy compares its contents.
_RUNS = itertools.count()
_CACHE = Path(tempfile.mkdtemp(prefix="rtagents-mypy-cache-"))
atexit.register(shutil.rmtree, _CACHE, True)


def mypy(folder: Path, source: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy")
    program = folder / "user_code.py"
    program.write_text(source)
    stamp = 1_000_000_000 + next(_RUNS)
    os.utime(program, (stamp, stamp))
    (folder / "mypy.ini").write_text(CONFIG)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            "mypy.ini",
            "--cache-dir",
            str(_CACHE),
            "user_code.py",
        ],
        cwd=folder,
        env=dict(os.environ, MYPYPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=590,
    )
