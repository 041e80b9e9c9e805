"""`rtagents run path/to/agents.py:AGENT` where the file is a module of a package.

docs/cli.md shows `rtagents run path/to/agents.py:concierge`. The usual layout keeps an app's
agents in a package beside its tools (`my_app/agents.py` doing `from .tools import ...`).
`rtagents run my_app.agents:concierge` works; the path form of the same file dies with a
traceback ("ImportError: attempted relative import with no known parent package"), because
the file is loaded as a top-level module named `agents`, outside its package.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli.user_cli import rtagents

TOOLS = '''
import rtagents


@rtagents.tool
def ping(text: str) -> str:
    """Answer a ping."""
    return "pong " + text
'''

AGENTS = """
import rtagents

from .tools import ping

concierge = rtagents.Agent(name="concierge", tools=[ping], output_modalities=["text"])
"""


def _app(root: Path) -> None:
    package = root / "my_app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "tools.py").write_text(TOOLS)
    (package / "agents.py").write_text(AGENTS)


def test_the_module_form_works(tmp_path: Path) -> None:
    _app(tmp_path)
    done = rtagents(tmp_path, "run", "my_app.agents:concierge", "--say", "ping hello")
    assert done.returncode == 0, done.stderr
    assert "pong hello" in done.stdout


def test_the_path_form_of_the_same_file_works(tmp_path: Path) -> None:
    _app(tmp_path)
    done = rtagents(tmp_path, "run", "my_app/agents.py:concierge", "--say", "ping hello")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    assert "pong hello" in done.stdout
