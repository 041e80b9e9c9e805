"""Under pyright, a `@rtagents.tool` method read from its instance is `Any` when its result
type holds an `Any`: every async method (`Coroutine[Any, Any, T]`), or one returning
`dict[str, Any]`. Its parameters and result are lost: wrong arguments pass unseen.

docs/tools.md: "Type checkers see it as the function it wraps (...): a call with the wrong
arguments, or a result used as the wrong type, is caught as it would be without the
decorator" and "`@tool` works on methods". mypy --strict does catch these (its reading of the
overloads differs); pyright, in any mode, answers `Any`, because `FunctionTool.__get__`'s
last overload (`instance: object -> FunctionTool[..., R]`) also matches, and pyright makes a
call that matches two overloads through an argument holding `Any` an `Any`. A sync method
returning `list[str]` is typed (`FunctionTool[(sku: str), list[str]]`): the same decorator,
typed or not by the result type.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.typing.user_pyright import errors_on, pyright

USER_CODE = '''
from typing import Any

import rtagents


class Inventory:
    def __init__(self) -> None:
        self.stock = {"A1": 3}

    @rtagents.tool
    async def stock_of(self, sku: str) -> int:
        """Units in stock."""
        return self.stock.get(sku, 0)

    @rtagents.tool
    def details(self, sku: str) -> dict[str, Any]:
        """What is known of an item."""
        return {"sku": sku}


async def main() -> None:
    inventory = Inventory()
    units: str = await inventory.stock_of(3, 4)  # wrong arguments, wrong result type
    info = inventory.details(sku=1, extra=True)  # wrong arguments
'''


@pytest.mark.timeout(600)
def test_method_tools_keep_their_signature_under_pyright(tmp_path: Path) -> None:
    checked = pyright(tmp_path, USER_CODE)
    async_call = "units: str = await inventory.stock_of(3, 4)  # wrong arguments, wrong result type"
    dict_call = "info = inventory.details(sku=1, extra=True)  # wrong arguments"
    assert errors_on(checked, USER_CODE, async_call), checked.stdout
    assert errors_on(checked, USER_CODE, dict_call), checked.stdout
