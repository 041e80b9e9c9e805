"""Regression review of b4f2692 (docs/cli.md: "A file named as a module it would hide
(``rtagents.py``, ``anyio.py``, ``json.py``: one of Python's, or one installed) is refused").

``_shadows`` compares the file's path with the place ``find_spec`` finds the module by its
name, as strings. The project folder on ``PYTHONPATH`` through a symlink (a linked checkout,
macOS's ``/tmp`` -> ``/private/tmp``, a bind mount) and the file given by its real path: the
module "installed here" is the file itself, and ``rtagents run`` refuses it, saying to rename
it. Nothing is hidden; before b4f2692 it ran."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.harness import env

AGENT = """\
import rtagents

concierge = rtagents.Agent(name="concierge", output_modalities=["text"])
"""


def test_the_file_itself_on_the_path_through_a_symlink_is_not_a_module_it_hides(
    tmp_path: Path,
) -> None:
    real = tmp_path / "project"
    real.mkdir()
    (real / "concierge_bot.py").write_text(AGENT)
    linked = tmp_path / "checkout"
    linked.symlink_to(real, target_is_directory=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rtagents",
            "run",
            "project/concierge_bot.py:concierge",
            "--say",
            "hi",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env(PYTHONPATH=os.pathsep.join([str(linked), env()["PYTHONPATH"]])),
    )
    assert "installed here" not in result.stderr, result.stderr[-600:]
    assert result.returncode == 0, result.stderr[-600:]
