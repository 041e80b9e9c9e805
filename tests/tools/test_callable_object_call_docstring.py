"""A callable object's tool is described by its class's ``__doc__`` only; the docstring of
``__call__`` (whose parameters are the tool's, see test_callable_object_hints) is never read.
For a callable dataclass with no class docstring, ``__doc__`` is the one ``dataclasses``
generates ("Search(index: str)"), so the model is told the tool is "Search(index: str)" (its
constructor, which it cannot call) and no parameter has a description, though ``__call__``
documents the tool and each parameter in its ``Args:``.

Fault: ``FunctionTool.__init__`` calls ``parse_docstring(source)`` on the object itself
(``inspect.getdoc`` of the instance: its class's ``__doc__``), while ``_schema._hints`` reads
the parameters from ``type(obj).__call__``."""

from __future__ import annotations

import dataclasses

import rtagents


@dataclasses.dataclass
class Search:
    index: str

    def __call__(self, query: str, limit: int = 5) -> str:
        """Search the product index.

        Args:
            query: What to look for.
            limit: How many results at most.
        """
        return f"{self.index}: {query} ({limit})"


class Lookup:
    def __call__(self, sku: str) -> str:
        """Units in stock for a product.

        Args:
            sku: The product's code.
        """
        return sku


def test_a_callable_dataclass_is_described_by_its_call() -> None:
    made = rtagents.tool(Search("products"))
    # Today: "Search(index: str)", dataclasses' generated __doc__.
    assert made.description == "Search the product index."
    props = made.parameters["properties"]
    assert props["query"].get("description") == "What to look for."
    assert props["limit"].get("description") == "How many results at most."


def test_a_callable_object_without_class_docstring_is_described_by_its_call() -> None:
    made = rtagents.tool(Lookup())
    assert made.description == "Units in stock for a product."  # today: ""
    assert made.parameters["properties"]["sku"].get("description") == "The product's code."
