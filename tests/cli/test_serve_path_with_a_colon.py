"""``rtagents serve`` splits ``FILE.py:APP`` at its last colon, as ``rtagents run`` splits
``FILE.py:AGENT``: a path may hold a colon (a folder named ``a:b``, a Windows drive), a
Python name never does. Before, ``serve`` split at the first colon, and took ``/tmp/a`` for
the module (``no file '/tmp/a'``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_serve_finds_a_file_under_a_folder_with_a_colon(tmp_path: Path) -> None:
    folder = tmp_path / "calls:v2"
    folder.mkdir()
    (folder / "phone_app.py").write_text("application = None\n")
    spec = f"{folder / 'phone_app.py'}:application"
    result = subprocess.run(
        [sys.executable, "-m", "rtagents", "serve", spec, "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2, result.stderr[-400:]
    # The file was found and read: what it lacks is an app, not the file itself.
    assert "has no ASGI app 'application'" in result.stderr, result.stderr[-400:]
