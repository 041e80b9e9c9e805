"""docs/agent.md's tool that hands the session over, fully annotated, fails mypy --strict:
`ctx.session` is `ToolSession | None` (None outside a session), and the example calls
`ctx.session.update_agent(...)` on it directly: `Item "None" of "ToolSession[Any] | None"
has no attribute "update_agent"`. A user copying the documented way gets a type error
(tests/typing/user_program.py itself guards with `if ctx.session is not None`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.typing.user_mypy import mypy

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.M | re.S)


@pytest.mark.timeout(600)
def test_the_documented_handoff_tool_type_checks(tmp_path: Path) -> None:
    [block] = [
        b
        for b in BLOCK.findall((ROOT / "docs" / "agent.md").read_text())
        if "ctx.session.update_agent" in b
    ]
    source = (
        "import rtagents\n\n"
        'billing = rtagents.Agent(name="billing", instructions="You handle refunds.")\n' + block
    )
    checked = mypy(tmp_path, source)
    assert checked.returncode == 0, checked.stdout
