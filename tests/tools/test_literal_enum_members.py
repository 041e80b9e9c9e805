"""``Literal[Color.RED, Color.GREEN]`` (some members of an Enum, the usual way to allow only
part of it) is described to the model as ``enum: ["red", "green"]``; the model then sends
``"red"``, which the schema allows, and every such call must not be refused."""

from __future__ import annotations

import enum
from typing import Literal

import pytest

import rtagents
from rtagents.emulator import CallFunction
from rtagents.testing import run_agent

pytestmark = pytest.mark.anyio


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


@rtagents.tool
def paint(color: Literal[Color.RED, Color.GREEN]) -> str:
    """Paint the wall (blue is out of stock)."""
    return f"painted {color.value}"


def test_the_schema_offers_the_values() -> None:
    assert paint.parameters["properties"]["color"]["enum"] == ["red", "green"]


def test_a_value_the_schema_offers_is_valid() -> None:
    # "red" is read back into Color.RED, never refused with "Input should be <Color.RED: ...".
    paint.parse_arguments('{"color": "red"}')


async def test_the_model_sending_an_offered_value_gets_the_tool_run() -> None:
    agent = rtagents.Agent(name="painter", tools=[paint], output_modalities=["text"])
    script = [CallFunction("paint", {"color": "red"}, call_id="call_paint"), "Done."]
    record = await run_agent(agent, script, "paint it red", socket=True)
    assert record.outputs["call_paint"] == "painted red", record.outputs["call_paint"]


def test_members_mixed_with_plain_values_are_refused_when_the_tool_is_made() -> None:
    def pick(color: Literal[Color.RED, "plain"]) -> str:
        return str(color)

    with pytest.raises(TypeError, match="holds Enum members"):
        rtagents.tool(pick)
