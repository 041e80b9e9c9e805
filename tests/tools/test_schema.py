"""Schemas from signatures: valid JSON Schema, accepted by the openai SDK, and faithful."""

from __future__ import annotations

import json
import math
import sys
import typing
import warnings
from typing import Annotated, Any, Union

import jsonschema
import pytest
from openai.types.realtime import RealtimeFunctionTool
from pydantic import BaseModel, ConfigDict, Field

import rtagents
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


# -- data inside a schema is data; a model's extra="allow" does not loosen it ---------------------


class Task(BaseModel):
    title: str
    done: bool = False


class Guest(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str


def test_defaults_and_examples_keep_their_own_title_keys() -> None:
    @rtagents.tool
    def plan(
        task: Task = Task(title="Untitled"),  # noqa: B008
        order: dict[str, str] = Field(default={"title": "asc"}, examples=[{"title": "desc"}]),  # noqa: B008
    ) -> str:
        """Plan."""
        return "ok"

    properties = plan.parameters["properties"]
    assert properties["task"]["default"] == {"title": "Untitled", "done": False}
    assert properties["order"]["default"] == {"title": "asc"}
    assert properties["order"]["examples"] == [{"title": "desc"}]
    assert "title" not in properties["task"]  # pydantic's generated titles still go


def test_a_nested_model_that_allows_extra_keys_is_described_as_validated() -> None:
    @rtagents.tool
    def seat(guest: Guest) -> str:
        """Seat a guest."""
        return guest.name

    extra = {"guest": {"name": "Ann", "diet": "vegan"}}
    with pytest.raises(jsonschema.ValidationError):  # the schema forbids it, as validation does
        jsonschema.validate(extra, seat.parameters)
    with pytest.raises(rtagents.tools.ToolArgumentsError):
        seat.parse_arguments(json.dumps(extra))


@pytest.mark.parametrize("name", ["model_config", "model_dump", "model_validate"])
def test_a_parameter_named_as_a_pydantic_attribute_is_refused_naming_it(name: str) -> None:
    namespace: dict[str, Any] = {}
    exec(f"def configure({name}: str) -> str:\n    return {name}", namespace)
    with pytest.raises(TypeError, match=rf"parameter '{name}': pydantic keeps this name"):
        rtagents.tool(namespace["configure"])


@pytest.mark.parametrize("name", ["schema", "json", "copy", "dict", "validate"])
@pytest.mark.anyio
async def test_pydantics_older_names_still_work_as_parameters(name: str) -> None:
    namespace: dict[str, Any] = {}
    exec(f"def query(sql: str, {name}: str) -> str:\n    return sql + ' in ' + {name}", namespace)
    with warnings.catch_warnings():  # nothing to say: the arguments' model is ours
        warnings.simplefilter("error", UserWarning)  # (not a collected stream's)
        query = rtagents.tool(namespace["query"])
    assert name in query.parameters["properties"]
    assert await query.run_json(json.dumps({"sql": "select 1", name: "public"})) == (
        "select 1 in public"
    )


def test_nan_and_infinity_in_a_result_are_null() -> None:
    @rtagents.tool
    def stats() -> dict[str, float]:
        """Stats."""
        return {"mean": math.nan, "max": -math.inf}

    assert json.loads(stats.serialize(stats.fn()), parse_constant=_refuse) == {
        "mean": None,
        "max": None,
    }


def _refuse(constant: str) -> Any:
    raise ValueError(f"not JSON: {constant}")


def test_a_field_description_wins_over_the_docstring_inside_optional_too() -> None:
    @rtagents.tool
    def rooms(
        plain: Annotated[int, Field(description="Field: plain.")],
        optional: Annotated[int, Field(description="Field: optional.")] | None = None,
        piped: Annotated[int, Field(description="Field: piped.")] | None = None,
        nested: Annotated[
            Annotated[int, Field(description="Field: nested.")] | None, Field(ge=0)
        ] = None,
        either: Union[Annotated[int, Field(description="Field: the int.")], str] = 0,
    ) -> str:
        """Rooms.

        Args:
            plain: Doc: plain.
            optional: Doc: optional.
            piped: Doc: piped.
            nested: Doc: nested.
            either: Doc: either.
        """
        return ""

    schema = json.dumps(rooms.parameters)
    for name in ("plain", "optional", "piped", "nested"):
        assert f"Field: {name}." in schema and f"Doc: {name}." not in schema
    # A Field on one branch of a union describes that branch: the docstring still
    # describes the parameter.
    assert props(rooms)["either"]["description"] == "Doc: either."
