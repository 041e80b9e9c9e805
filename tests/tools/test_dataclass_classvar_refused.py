"""A dataclass parameter with a ``ClassVar`` (no field: never sent, never validated) is now
refused at decoration.

``_schema._fields_of`` reads a dataclass's fields with ``typing.get_type_hints``, which also
gives its class variables; ``_unusable`` then finds the ``Callable`` (or ``type``) inside a
``ClassVar[...]`` and raises "a function (Callable) cannot be sent as JSON". Before the
change the tool was made, with the dataclass's one real field in its schema. (A model's
``model_fields`` leaves class variables out; dataclasses.fields() would as well.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import ClassVar

import rtagents


@dataclasses.dataclass
class Order:
    sku: str
    formatters: ClassVar[dict[str, Callable[[str], str]]] = {}
    kind: ClassVar[type] = str


def place(order: Order) -> str:
    """Place an order."""
    return order.sku


def test_a_dataclass_with_class_variables_is_a_tool() -> None:
    made = rtagents.tool(place)  # TypeError: a function (Callable) cannot be sent as JSON
    assert made.parameters["$defs"]["Order"]["properties"] == {"sku": {"type": "string"}}
