"""``Literal[Color.RED, Color.GREEN]`` is now offered as its values and read back into
members, but only as the whole annotation: ``Optional[...]`` of it, ``list[...]`` of it, or
the same Literal with a ``Field(description=...)`` is refused as holding Enum members,
while the docstring-described one is accepted. The message says the check would refuse the
values, which the change made untrue for the same Literal one level up."""

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
