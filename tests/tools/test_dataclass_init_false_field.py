"""A dataclass field the constructor does not take (``field(init=False)``: a total worked
out in ``__post_init__``, a timestamp) is offered to the model in the parameter's schema, as
an optional property with its default, yet the check refuses it ("d.total: Unexpected
keyword argument"): the model sends what the schema allows and the call fails. docs/tools.md
says a dataclass is a nested object whose schema forbids only what the function does not
take; the library's rule is that the schema says what validation does.

Fault: ``_schema.build_signature`` (pydantic's validation schema of a stdlib dataclass keeps
``init=False`` fields): leave such fields out of the schema's properties, or refuse them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import anyio
import pytest

import rtagents
from rtagents.tools import ToolArgumentsError


@dataclass
class Line:
    sku: str
    quantity: int
    total: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.total = self.quantity * 10


@rtagents.tool
def add_line(line: Line) -> str:
    """Add a line to the order."""
    return f"{line.sku} x{line.quantity}: {line.total}"


def test_every_property_the_schema_offers_is_accepted() -> None:
    schema = add_line.parameters
    offered = schema["$defs"]["Line"]["properties"]
    arguments = {"line": {"sku": "A1", "quantity": 2}}
    if "total" not in offered:
        return  # not offered: fine
    arguments["line"]["total"] = offered["total"].get("default", 0)
    try:
        anyio.run(add_line.run_json, json.dumps(arguments))
    except ToolArgumentsError as exc:
        pytest.fail(f"schema {json.dumps(offered)} offers 'total', which is refused: {exc}")
