"""Every ``python`` code block in the docs runs, page by page, in order.

Blocks of one page share a namespace, so a later block can use what an earlier one
defined. A block whose first line is ``# not run`` is only shown (for instance one that
needs a real API key).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.M | re.S)
PAGES = sorted(DOCS.rglob("*.md"))


def _blocks(page: Path) -> list[str]:
    return [b for b in BLOCK.findall(page.read_text()) if not b.startswith("# not run")]


@pytest.mark.parametrize("page", [p for p in PAGES if _blocks(p)], ids=lambda p: p.stem)
def test_code_blocks_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run where the examples are, so a page can start examples/calendar_server.py as a user would.
    monkeypatch.chdir(DOCS.parent / "examples")
    monkeypatch.syspath_prepend(str(DOCS.parent / "examples"))
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(_blocks(page), 1):
        code = compile(block, f"{page.name} block {number}", "exec")
        exec(code, namespace)
