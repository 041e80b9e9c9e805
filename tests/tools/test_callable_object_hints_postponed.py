"""A callable object's type hints (``_schema._hints``) resolve in a module with postponed
annotations, where every hint is a string. Here ``__call__``'s parameter names a type of this
module (``Order``). The hints are read from ``__call__`` itself, in its module, for a plain
callable object and for a dataclass alike, so ``"Order"`` resolves and the tool takes an
``order``."""

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
