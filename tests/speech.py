"""Real speech for tests: espeak-ng says a sentence; sox converts it (rate, channels, width).
Both come from Debian (``make test`` installs them when missing)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def need(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: `make test` installs them (Debian packages)")


def espeak(text: str, path: Path) -> Path:
    """``text`` spoken into ``path``: espeak-ng's own WAV, mono pcm16 at 22,050 Hz."""
    need("espeak-ng")
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True)
    return path


def sox(src: Path, dst: Path, *options: str, effects: tuple[str, ...] = ()) -> Path:
    """``sox src [options] dst [effects]``: options such as ``-r 48000 -c 2 -b 24``."""
    need("sox")
    subprocess.run(["sox", str(src), *options, str(dst), *effects], check=True)
    return dst


def soxi(path: Path, flag: str) -> str:
    """What sox reads in a file: ``-r`` rate, ``-c`` channels, ``-D`` seconds, ``-b`` bits."""
    need("sox")
    return subprocess.run(
        ["soxi", flag, str(path)], check=True, capture_output=True, text=True
    ).stdout.strip()
