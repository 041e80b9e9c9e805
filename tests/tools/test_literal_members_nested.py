"""``Literal[Color.RED, Color.GREEN]`` (part of an Enum) is offered to the model as its values
and read back into members wherever it sits in an annotation (``_schema._readable``): as the
whole annotation, in ``Optional[...]``, in ``list[...]``, or with a ``Field(description=...)``.
Each such tool is made and runs, as the docstring-described one does. Refusing the nested forms
"as holding Enum members" would give an untrue reason (the check takes the values), and would
treat one Literal two ways by where it sits."""

from __future__ import annotations

import enum
import json
from typing import Annotated, Literal

import pytest
from pydantic import Field

import rtagents

pytestmark = pytest.mark.anyio


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


Warm = Literal[Color.RED, Color.GREEN]


async def test_field_described_literal_of_members_is_made_as_the_docstring_one() -> None:
    def paint(color: Annotated[Warm, Field(description="the colour")]) -> str:
        """Paint."""
        return color.name

    made = rtagents.tool(paint)
    assert await made.run_json(json.dumps({"color": "red"})) == "RED"


async def test_optional_literal_of_members() -> None:
    def paint(color: Warm | None = None) -> str:
        """Paint."""
        return "none" if color is None else color.name

    made = rtagents.tool(paint)
    assert await made.run_json(json.dumps({"color": "green"})) == "GREEN"


async def test_list_of_literal_of_members() -> None:
    def paint(colors: list[Warm]) -> str:
        """Paint."""
        return ",".join(c.name for c in colors)

    made = rtagents.tool(paint)
    assert await made.run_json(json.dumps({"colors": ["red", "green"]})) == "RED,GREEN"
