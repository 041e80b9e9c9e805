"""Every ``python`` code block in the docs runs.

The blocks of a page run in order, as one program in its own process (so a page may set up
OpenTelemetry or logging as a user would), from the examples folder. A block whose first line
is ``# not run`` is only shown (for instance one that needs a real API key).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.M | re.S)
PAGES = [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"]  # (README's code is a user's first)


def _blocks(page: Path) -> list[str]:
    return [b for b in BLOCK.findall(page.read_text()) if not b.startswith("# not run")]


@pytest.mark.parametrize("page", [p for p in PAGES if _blocks(p)], ids=lambda p: p.stem)
def test_code_blocks_run(page: Path, tmp_path: Path) -> None:
    program = tmp_path / f"docs_page_{page.stem}.py"  # never shadow a package (mcp.py)
    program.write_text("\n\n".join(_blocks(page)))
    result = subprocess.run(
        [sys.executable, str(program)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT / "examples",
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "examples")},
    )
    assert result.returncode == 0, f"{page.name}:\n{result.stderr[-4000:]}"
