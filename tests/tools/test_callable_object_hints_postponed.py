"""Review: a callable object's hints (``_schema._hints``), in a module with postponed
annotations, where its ``__call__``'s parameters name a type of this module."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

import rtagents


class Order(BaseModel):
    number: str


class Lookup:
    """A plain callable object (no annotations of its class)."""

    def __call__(self, order: Order) -> str:
        """Look up an order."""
        return order.number


@dataclass
class Configured:
    """A dataclass tool: its fields are configuration, its __call__ takes the arguments."""

    shop: Order

    def __call__(self, order: Order) -> str:
        """Look up an order."""
        return order.number


def test_a_plain_callable_object_with_a_module_type() -> None:
    made = rtagents.tool(Lookup(), name="lookup")
    assert "order" in made.parameters["properties"]


def test_a_dataclass_callable_with_a_module_type() -> None:
    made = rtagents.tool(Configured(Order(number="1")), name="lookup")
    assert "order" in made.parameters["properties"]
