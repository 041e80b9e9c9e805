"""A `@rtagents.tool` method, called with wrong arguments, passes mypy --strict.

docs/tools.md: "Type checkers see it as the function it wraps (`FunctionTool[[city: str],
str]`): a call with the wrong arguments, or a result used as the wrong type, is caught as it
would be without the decorator." and "`@tool` works on methods". For a method read from its
instance, mypy sees `FunctionTool[[*Any, **Any], int]` (`FunctionTool.__get__`), so any
arguments at all are accepted: `inventory.stock_of(3, 4, extra=True)` type-checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.typing.user_mypy import mypy

USER_CODE = '''
import rtagents


class Inventory:
    def __init__(self) -> None:
        self.stock = {"A1": 3}

    @rtagents.tool
    def stock_of(self, sku: str) -> int:
        """Units in stock."""
        return self.stock.get(sku, 0)


inventory = Inventory()
units: int = inventory.stock_of("A1")  # right: fine
wrong = inventory.stock_of(3, 4, extra=True)  # wrong arguments: an error, as without @tool
'''


@pytest.mark.timeout(600)
def test_wrong_arguments_to_a_tool_method_are_a_type_error(tmp_path: Path) -> None:
    checked = mypy(tmp_path, USER_CODE)
    errors = [line for line in checked.stdout.splitlines() if ": error:" in line]
    wrong = 1 + USER_CODE.splitlines().index(
        "wrong = inventory.stock_of(3, 4, extra=True)  # wrong arguments: an error, as without @tool"
    )
    assert any(f"user_code.py:{wrong}:" in line for line in errors), checked.stdout
