"""The decoration-time checks that refuse a type no JSON value can pass as (docs/tools.md,
"What cannot be a tool": ``set[SomeModel]``; and ``Literal[Color.RED, ...]``, which is either
read back into members or refused) do not look inside a model or a dataclass. The same
types as a field of a parameter's model make a tool whose schema looks fine but whose every
call fails: the schema offers ``"red"`` and the check wants ``Color.RED`` ("Input should be
<Color.RED: 'red'> (got 'red')"); the schema offers an array of objects and the check says
"Set items should be hashable". The model cannot fix either call.

Fault: ``_schema._unusable`` / ``_schema._readable`` walk ``typing.get_args`` only, never the
fields of a BaseModel, dataclass or TypedDict."""

from __future__ import annotations

import dataclasses
import enum
import json
from typing import Literal

import anyio
import pytest
from pydantic import BaseModel

import rtagents
from rtagents.tools import ToolArgumentsError


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Item(BaseModel):
    sku: str


class Order(BaseModel):
    items: set[Item]


@dataclasses.dataclass
class Paint:
    color: Literal[Color.RED, Color.GREEN]


def place(order: Order) -> str:
    """Place an order."""
    return "placed"


def paint(job: Paint) -> str:
    """Paint a wall."""
    return job.color.name


def test_top_level_forms_are_refused_when_decorated() -> None:  # what the docs promise
    def direct(items: set[Item]) -> str:
        """Direct."""
        return ""

    with pytest.raises(TypeError, match="cannot be hashed"):
        rtagents.tool(direct)


def _made_or_refused(fn: object) -> rtagents.FunctionTool | None:
    try:
        return rtagents.tool(fn)  # type: ignore[arg-type]
    except TypeError:
        return None  # refused when decorated: fine


def test_a_set_of_models_in_a_model_field() -> None:
    made = _made_or_refused(place)
    if made is None:
        return
    # Made: a call that fits the schema it offers must be able to run.
    sent = json.dumps({"order": {"items": [{"sku": "A1"}]}})
    try:
        anyio.run(made.run_json, sent)
    except ToolArgumentsError as exc:  # today: "order.items.0: Set items should be hashable"
        pytest.fail(f"the schema offered {made.parameters} and the call was refused: {exc}")


def test_a_literal_of_enum_members_in_a_dataclass_field() -> None:
    made = _made_or_refused(paint)
    if made is None:
        return
    offered = made.parameters["$defs"]["Paint"]["properties"]["color"]["enum"]
    assert offered == ["red", "green"]
    try:
        result = anyio.run(made.run_json, json.dumps({"job": {"color": "red"}}))
    except ToolArgumentsError as exc:  # today: "Input should be <Color.RED: 'red'> or ..."
        pytest.fail(f"the schema offered {offered} and the call was refused: {exc}")
    assert result == "RED"
