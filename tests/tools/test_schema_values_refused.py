"""Types whose Python values have another shape in JSON: the schema offers the JSON form and
the validator refuses it, so every call fails and the model cannot fix it. An Enum with tuple
values (``Resolution.HD = (1280, 720)``) is offered as ``enum: [[1280, 720], ...]`` and
refused with "Input should be (1280, 720) (got [1280, 720])"; ``Literal[b"json", "text"]`` is
offered as ``enum: ["json", "text"]`` and "json" is refused ("Input should be b'json' or
'text'"). The docs say types that no JSON value can be are refused when decorated
("Problems are found when you decorate, not when the model first calls"), as the library
already does for ``Literal`` of Enum members; these are not.

Fault: ``_schema._unusable`` / ``_schema._readable`` (no check that an Enum's or a Literal's
values survive a JSON round trip)."""

from __future__ import annotations

import enum
import json
from typing import Literal

import anyio
import pytest

import rtagents
from rtagents.tools import ToolArgumentsError


class Resolution(enum.Enum):
    HD = (1280, 720)
    FULL_HD = (1920, 1080)


def record(resolution: Resolution) -> str:
    """Record a video."""
    return resolution.name


def export(kind: Literal[b"json", "text"]) -> str:
    """Export the report."""
    return repr(kind)


@pytest.mark.parametrize(
    ("fn", "arguments"),
    [(record, {"resolution": [1280, 720]}), (export, {"kind": "json"})],
    ids=["tuple-valued-enum", "bytes-literal"],
)
def test_a_value_the_schema_offers_is_accepted_or_the_tool_is_refused(
    fn: object, arguments: dict[str, object]
) -> None:
    try:
        made = rtagents.tool(fn)  # type: ignore[arg-type]
    except TypeError:
        return  # refused when decorated: fine
    schema = json.dumps(made.parameters)
    try:
        anyio.run(made.run_json, json.dumps(arguments))
    except ToolArgumentsError as exc:
        pytest.fail(f"schema {schema} offers {arguments}, which is refused: {exc}")
