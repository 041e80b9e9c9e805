"""A default given in ``Annotated[..., Field(default=...)]`` is dropped: the parameter is
``required`` in the schema, the default is not shown, and a call without it is refused as
"required but missing". pydantic itself (``validate_call``, ``TypeAdapter(fn)``) takes such a
parameter as optional with that default, and so does openai-agents' ``function_tool``.
The same tool's ``Field(default_factory=...)`` *is* honoured (not required), so one
``Annotated`` default counts and the other does not.

Fault: ``_schema.build_signature`` passes ``...`` (required) as the field's default whenever
the Python parameter has none, which overrides the ``FieldInfo``'s own default."""

from __future__ import annotations

import json
from typing import Annotated

import anyio
from pydantic import Field, TypeAdapter, validate_call

import rtagents


def order(
    sku: str,
    quantity: Annotated[int, Field(default=1, ge=1, description="How many.")],
    notes: Annotated[list[str], Field(default_factory=list)],
) -> str:
    """Order stock."""
    return f"{quantity} x {sku} {notes}"


def test_pydantic_takes_the_field_default() -> None:  # the oracle
    schema = TypeAdapter(order).json_schema()
    assert schema["properties"]["quantity"]["default"] == 1
    assert validate_call(order)(sku="A1") == "1 x A1 []"


def test_the_field_default_makes_the_parameter_optional() -> None:
    made = rtagents.tool(order)
    params = made.parameters
    assert "notes" not in params["required"]  # default_factory: honoured today
    assert params["required"] == ["sku"], params  # today: ["sku", "quantity"]
    assert params["properties"]["quantity"]["default"] == 1


def test_a_call_without_it_gets_the_default() -> None:
    made = rtagents.tool(order)
    # Today: ToolArgumentsError "quantity: required but missing".
    assert anyio.run(made.run_json, json.dumps({"sku": "A1"})) == "1 x A1 []"
