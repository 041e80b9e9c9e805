"""`rtagents.testing.run_agent(...)` after a plain `import rtagents`, under mypy --strict.

docs/testing.md: "Outside pytest, `await rtagents.testing.run_agent(agent, script, say)`
returns the same record"; rtagents/__init__.py: the subpackages are "Reached as
``rtagents.calls`` after a plain ``import rtagents``". At run time they are (a module
`__getattr__`), but that `__getattr__` is typed `-> object`, so a type checker sees
`rtagents.testing` as an `object`: `"object" has no attribute "run_agent"`. The package ships
py.typed and promises mypy --strict; a `TYPE_CHECKING` import of the subpackages would
say what they are.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.typing.user_mypy import mypy

ROOT = Path(__file__).resolve().parents[2]

USER_CODE = '''
import rtagents


@rtagents.tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


agent = rtagents.Agent(name="w", tools=[get_weather], output_modalities=["text"])


async def check() -> None:
    record = await rtagents.testing.run_agent(
        agent, [rtagents.testing.CallFunction("get_weather", {"city": "Oslo"}), "ok"], "hi"
    )
    record.assert_called("get_weather", city="Oslo")
    async with rtagents.emulator.Emulator() as emu:
        print(emu.url)
'''


@pytest.mark.timeout(600)
def test_subpackages_reached_from_import_rtagents_are_typed(tmp_path: Path) -> None:
    checked = mypy(tmp_path, USER_CODE)  # (writes user_code.py)
    # It runs too: the names exist.
    ran = subprocess.run(
        [sys.executable, "-c", "import anyio, user_code; anyio.run(user_code.check)"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{tmp_path}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert checked.returncode == 0, checked.stdout + checked.stderr
