"""Running the `rtagents` command as a user would, from a directory holding their module
(on the path, as the current directory is for them): ``harness.rtagents`` with it added."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.cli.harness import ROOT
from tests.cli.harness import rtagents as command


def rtagents(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return command(*args, cwd=cwd, timeout=timeout, PYTHONPATH=f"{ROOT}{os.pathsep}{cwd}")
