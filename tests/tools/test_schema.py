"""Schemas from signatures: valid JSON Schema, accepted by the openai SDK, and faithful."""

from __future__ import annotations

import json
import sys
import typing
from typing import Any

import jsonschema
import pytest
from openai.types.realtime import RealtimeFunctionTool

from rtagents import FunctionTool

from .signatures import CASES

TOOLS = list(CASES)


def test_at_least_fifteen_signatures() -> None:
    assert len(TOOLS) >= 15


@pytest.mark.parametrize("t", TOOLS, ids=lambda t: t.name)
def test_definition_is_valid_json_schema_and_an_openai_function_tool(t: FunctionTool) -> None:
    definition = t.definition()
    wire = json.loads(definition.model_dump_json(exclude_unset=True))
    assert wire["type"] == "function" and wire["name"] == t.name
    assert wire["description"]
    jsonschema.Draft202012Validator.check_schema(wire["parameters"])
    RealtimeFunctionTool.model_validate(wire)
    assert wire["parameters"]["type"] == "object"
    assert wire["parameters"].get("additionalProperties") is False


@pytest.mark.parametrize("t", TOOLS, ids=lambda t: t.name)
def test_schema_and_validator_agree(t: FunctionTool) -> None:
    good, bad = CASES[t]
    validator = jsonschema.Draft202012Validator(t.parameters)
    for args in good:
        assert validator.is_valid(args), (args, list(validator.iter_errors(args)))
        t.parse_arguments(json.dumps(args))
    for args in bad:
        assert not validator.is_valid(args), args
        with pytest.raises(ValueError, match=f"invalid arguments for {t.name}: ") as info:
            t.parse_arguments(json.dumps(args))
        assert "\n" not in str(info.value)


def props(t: FunctionTool) -> dict[str, Any]:
    return t.parameters["properties"]  # type: ignore[no-any-return]


def test_docstring_gives_description_and_parameter_descriptions() -> None:
    from .signatures import plain

    assert plain.description == "Current weather for a city."
    assert props(plain)["city"] == {"type": "string", "description": 'City name, e.g. "Paris".'}
    assert plain.parameters["required"] == ["city"]


def test_schema_details() -> None:
    from . import signatures as s

    assert s.defaults.parameters["required"] == ["city"]
    assert props(s.defaults)["days"] == {"type": "integer", "default": 3}
    assert props(s.literal)["unit"] == {"type": "string", "enum": ["c", "f"]}
    assert s.enumerated.parameters["$defs"]["Unit"]["enum"] == ["celsius", "fahrenheit"]
    assert props(s.constrained)["age"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 130,
        "description": "Age in years",
    }
    assert "ctx" not in props(s.with_context)
    assert s.no_args.parameters == {
        "type": "object",
        "properties": {},
        "additionalProperties": False,
    }
    assert "title" not in json.dumps(s.nested_model.parameters)


def test_a_property_named_title_is_kept() -> None:
    from rtagents import tool

    @tool
    def book(title: str) -> str:
        """Find a book."""
        return title

    assert "title" in props(book)


def test_error_messages_name_the_argument() -> None:
    from . import signatures as s

    with pytest.raises(ValueError) as info:
        s.scalars.parse_arguments('{"name": "a", "count": "many", "ratio": 1, "loud": true}')
    assert "count: Input should be a valid integer" in str(info.value)
    assert "'many'" in str(info.value)
    with pytest.raises(ValueError, match="city: required but missing"):
        s.plain.parse_arguments("{}")
    with pytest.raises(ValueError, match="other: not a parameter of this tool"):
        s.plain.parse_arguments('{"city": "x", "other": 1}')
    with pytest.raises(ValueError, match="not valid JSON"):
        s.plain.parse_arguments('{"city": ')
    with pytest.raises(
        ValueError, match=r"order\.quantity: Input should be less than or equal to 10"
    ):
        s.nested_model.parse_arguments(
            '{"order": {"sku": "A", "quantity": 99, '
            '"ship_to": {"street": "s", "city": "c", "postcode": "12345"}}}'
        )


class Address(typing.TypedDict):  # the standard library's: pydantic wants typing_extensions'
    city: str


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="pydantic takes typing.TypedDict there")
def test_a_typing_typed_dict_before_python_3_12_is_a_type_error_naming_the_parameter() -> None:
    import rtagents

    def ship(to: Address) -> str:
        """Ship it."""
        return "shipped"

    with pytest.raises(TypeError, match=r"ship, parameter 'to': .*typing_extensions"):
        rtagents.tool(ship)
