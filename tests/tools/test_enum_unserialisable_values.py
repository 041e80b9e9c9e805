"""An Enum whose values are not JSON (objects: ``Op.ADD = Operator("+")``) has no JSON
schema. The docs promise that "a type with no JSON schema ... raise[s] a TypeError that names
the function and the parameter" when decorated. Instead pydantic's
``PydanticSerializationError`` ("Unable to serialize unknown type: <class 'Operator'>")
escapes from the decorator, naming neither the tool nor the parameter.

Fault: ``_schema.build_signature``: the per-parameter probe only builds the model (which
succeeds); the schema is made afterwards for all parameters at once, and only
``PydanticUserError`` is turned into a ``TypeError`` there."""

from __future__ import annotations

import enum

import pytest

import rtagents


class Operator:
    def __init__(self, symbol: str) -> None:
        self.symbol = symbol


class Op(enum.Enum):
    ADD = Operator("+")
    SUB = Operator("-")


def calculate(a: int, b: int, op: Op) -> str:
    """Calculate."""
    return str(a + b)


def test_an_enum_of_objects_is_a_type_error_naming_the_parameter() -> None:
    with pytest.raises(TypeError, match=r"calculate, parameter 'op'"):
        rtagents.tool(calculate)
