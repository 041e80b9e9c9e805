"""A `@rtagents.tool` taking no receiver kept on a class (a staticmethod, a module's tool kept
as a class attribute) type-checks read from the class, as docs/tools.md says to read it. Read
from an instance, mypy --strict would take its first parameter for the receiver:

docs/tools.md ("Methods"): only a function defined in a class body whose first parameter is
an unannotated `self`/`cls` is bound; "Everything else is taken as it is: a bound method, a
staticmethod, ...". At run time `shop.price_of("apple")` works (FunctionTool.__get__ returns
the tool unchanged when it has no receiver). But `FunctionTool.__get__`'s overload
`FunctionTool[Concatenate[Any, Q], R] -> FunctionTool[Q, R]` drops the first parameter of
whatever is read from an instance, so mypy says `FunctionTool[[], float]` and reports
"Too many arguments" for the call that runs.
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
    """The weather in a city."""
    return f"sunny in {city}"


class Shop:
    @staticmethod
    @rtagents.tool
    def price_of(item: str) -> float:
        """The price of an item."""
        return 1.5

    weather = get_weather  # a module's tool, kept on the class


price: float = Shop.price_of("apple")  # (read from the class, as docs/tools.md says)
report: str = Shop.weather(city="Oslo")
agent = rtagents.Agent(name="shop", tools=[Shop.price_of, Shop.weather])
'''


@pytest.mark.timeout(600)
def test_a_tool_without_a_receiver_read_from_its_class_type_checks(tmp_path: Path) -> None:
    checked = mypy(tmp_path, USER_CODE)  # (writes user_code.py)
    ran = subprocess.run(  # it runs: both calls are right
        [sys.executable, "-c", "import user_code; print(user_code.price, user_code.report)"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{tmp_path}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0 and ran.stdout.split() == ["1.5", "sunny", "in", "Oslo"], ran.stderr
    assert checked.returncode == 0, checked.stdout
