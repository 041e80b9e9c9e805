"""``rtagents run MODULE:FACTORY`` takes "a function without arguments (sync or async) that
returns" an Agent (docs/cli.md): ``def make_agent(**overrides)`` or ``(*extra)`` is one (it is
called with none); only a parameter that needs a value is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.user_cli import rtagents

FACTORIES = '''
import rtagents

def make_agent(**overrides):
    """The agent; tests pass overrides, the command line none."""
    options = {"name": "kw", "output_modalities": ["text"], **overrides}
    return rtagents.Agent(**options)

def make_named(*extra_tools):
    return rtagents.Agent(name="va", output_modalities=["text"], tools=list(extra_tools))
'''


@pytest.mark.parametrize("factory", ["make_agent", "make_named"])
def test_a_factory_callable_without_arguments_is_accepted(tmp_path: Path, factory: str) -> None:
    (tmp_path / "factories.py").write_text(FACTORIES)
    result = rtagents(tmp_path, "run", f"factories:{factory}", "--say", "hi")
    assert result.returncode == 0, result.stderr
    assert "assistant:" in result.stdout
