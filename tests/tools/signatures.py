"""Tool signatures used by the schema tests: each with arguments that fit and ones that don't."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from rtagents import ToolContext, tool


class Unit(enum.Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


class Address(BaseModel):
    street: str
    city: str
    postcode: Annotated[str, Field(pattern=r"^\d{5}$")]


class Order(BaseModel):
    sku: str
    quantity: Annotated[int, Field(ge=1, le=10)] = 1
    ship_to: Address


@dataclass
class Window:
    start: str
    minutes: int = 30


class Contact(TypedDict):
    name: str
    phone: str


@tool
def plain(city: str) -> str:
    """Current weather for a city.

    Args:
        city: City name, e.g. "Paris".
    """
    return city


@tool
def scalars(name: str, count: int, ratio: float, loud: bool) -> str:
    """All four scalar types."""
    return name


@tool
def defaults(city: str, days: int = 3, detailed: bool = False) -> str:
    """Defaults are not required."""
    return city


@tool
def optional(city: str | None = None, country: str | None = None) -> str:
    """Optional values may be null."""
    return str(city)


@tool
def literal(unit: Literal["c", "f"], mode: Literal[1, 2, 3] = 1) -> str:
    """Literals become enums."""
    return unit


@tool
def enumerated(unit: Unit) -> str:
    """Enums become enums."""
    return unit.value


@tool
def collections(tags: list[str], point: tuple[float, float], extra: dict[str, int]) -> str:
    """Lists, tuples and dicts."""
    return ",".join(tags)


@tool
def nested_model(order: Order) -> str:
    """A nested pydantic model."""
    return order.sku


@tool
def dataclass_arg(window: Window) -> str:
    """A dataclass argument."""
    return window.start


@tool
def typed_dict(contact: Contact) -> str:
    """A TypedDict argument."""
    return contact["name"]


@tool
def constrained(
    age: Annotated[int, Field(ge=0, le=130, description="Age in years")],
    code: Annotated[str, Field(min_length=2, max_length=3)],
) -> str:
    """Field constraints and descriptions."""
    return code


@tool
def with_context(ctx: ToolContext, city: str) -> str:
    """The context is injected and not in the schema."""
    return ctx.call_id


@tool
async def async_tool(city: str, limit: int = 5) -> list[str]:
    """An async tool."""
    return [city] * limit


@tool
def list_of_models(stops: list[Address]) -> int:
    """A list of models."""
    return len(stops)


@tool
def no_args() -> str:
    """A tool without arguments."""
    return "ok"


@tool
def union_arg(value: int | str) -> str:
    """A union."""
    return str(value)


@tool
def any_json(payload: dict[str, Any]) -> str:
    """Free-form JSON."""
    return "ok"


ADDRESS = {"street": "1 Rue", "city": "Paris", "postcode": "75001"}

# tool -> (arguments that fit, arguments that do not)
CASES: dict[Any, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
    plain: ([{"city": "Paris"}], [{}, {"city": 3}, {"city": "x", "other": 1}]),
    scalars: (
        [{"name": "a", "count": 2, "ratio": 0.5, "loud": True}],
        [{"name": "a", "count": "x", "ratio": 0.5, "loud": True}, {"name": "a"}],
    ),
    defaults: ([{"city": "Rome"}, {"city": "Rome", "days": 5}], [{"days": 2}]),
    optional: ([{}, {"city": None}, {"city": "Oslo", "country": "NO"}], [{"city": 5}]),
    literal: ([{"unit": "c"}, {"unit": "f", "mode": 3}], [{"unit": "k"}, {"unit": "c", "mode": 4}]),
    enumerated: ([{"unit": "celsius"}], [{"unit": "kelvin"}]),
    collections: (
        [{"tags": ["a"], "point": [1.0, 2.0], "extra": {"a": 1}}],
        [{"tags": "a", "point": [1.0, 2.0], "extra": {}}, {"tags": [], "point": [1], "extra": {}}],
    ),
    nested_model: (
        [{"order": {"sku": "A1", "ship_to": ADDRESS}}],
        [
            {"order": {"sku": "A1", "quantity": 11, "ship_to": ADDRESS}},
            {"order": {"sku": "A1", "ship_to": {**ADDRESS, "postcode": "x"}}},
        ],
    ),
    dataclass_arg: ([{"window": {"start": "09:00"}}], [{"window": {"minutes": 5}}]),
    typed_dict: ([{"contact": {"name": "Ann", "phone": "1"}}], [{"contact": {"name": "Ann"}}]),
    constrained: (
        [{"age": 30, "code": "FR"}],
        [{"age": -1, "code": "FR"}, {"age": 3, "code": "F"}],
    ),
    with_context: ([{"city": "Paris"}], [{"ctx": {}, "city": "Paris"}]),
    async_tool: ([{"city": "Paris"}, {"city": "Paris", "limit": 1}], [{"limit": 1}]),
    list_of_models: ([{"stops": [ADDRESS]}, {"stops": []}], [{"stops": [{"street": "x"}]}]),
    no_args: ([{}], [{"x": 1}]),
    union_arg: ([{"value": 1}, {"value": "a"}], [{"value": [1]}]),
    any_json: ([{"payload": {"a": [1, {"b": None}]}}], [{"payload": [1]}]),
}
