"""``Iterable[X]`` is turned into ``list[X]`` only when it is the whole annotation. Anywhere
else (``Iterable[int] | None = None``, ``Annotated[Iterable[int], Field(description=...)]``)
it is now refused as "checked lazily", though before the change those tools were made and
ran (pydantic read the list lazily), and though the same parameter described by the
docstring instead of ``Field`` is accepted: one rule, decided in two places."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated

import pytest
from pydantic import Field

import rtagents

pytestmark = pytest.mark.anyio


async def test_an_optional_iterable_is_a_list_or_none() -> None:
    def total(amounts: Iterable[int] | None = None) -> int:
        """Add amounts."""
        return sum(amounts or ())

    made = rtagents.tool(total)
    assert await made.run_json(json.dumps({"amounts": [1, 2]})) == "3"


async def test_an_iterable_described_by_field_is_a_list() -> None:
    def total(amounts: Annotated[Iterable[int], Field(description="the amounts")]) -> int:
        """Add amounts."""
        return sum(amounts)

    made = rtagents.tool(total)
    assert made.parameters["properties"]["amounts"]["type"] == "array"
    assert await made.run_json(json.dumps({"amounts": [1, 2]})) == "3"


def test_field_or_docstring_describe_it_alike() -> None:
    def by_doc(amounts: Iterable[int]) -> int:
        """Add amounts.

        Args:
            amounts: the amounts
        """
        return sum(amounts)

    def by_field(amounts: Annotated[Iterable[int], Field(description="the amounts")]) -> int:
        """Add amounts."""
        return sum(amounts)

    assert rtagents.tool(by_doc).parameters == rtagents.tool(by_field).parameters
