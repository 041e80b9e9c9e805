"""`rtagents run MODULE:FACTORY` where the factory returns something that is not an Agent.

docs/cli.md: "`MODULE:AGENT` names an `rtagents.Agent`, or a function without arguments
(sync or async) that returns one." When the function returns, say, a dict, the error says
"make_agent is a dict": the name is a function, and what is wrong is what it returned.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli.user_cli import rtagents

MODULE = """
def make_agent():
    return {"name": "concierge"}  # forgot to build the Agent
"""


def test_the_error_says_the_function_returned_a_dict(tmp_path: Path) -> None:
    (tmp_path / "factory_app.py").write_text(MODULE)
    done = rtagents(tmp_path, "run", "factory_app:make_agent", "--say", "hi")
    assert done.returncode == 2
    assert "returned" in done.stderr, done.stderr
    assert "factory_app:make_agent is a dict" not in done.stderr, done.stderr
