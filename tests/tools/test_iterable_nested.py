"""``Iterable[X]`` is read as ``list[X]`` wherever it sits in an annotation
(``_schema._readable``): as the whole annotation, in ``Iterable[int] | None = None``, or in
``Annotated[Iterable[int], Field(description=...)]``. Each such tool is made and runs, and a
parameter described by ``Field`` gets the same schema as one described by the docstring: one
rule, decided in one place. Refusing the nested forms as "checked lazily" would refuse tools
that pydantic can run, and would treat one parameter two ways by where its description is
written."""

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
