"""A callable object is a tool (named after its class, its parameters those of ``__call__``).
The type hints must be read from ``__call__``: a callable dataclass (a search configured with
its index, say) has class annotations of its own, which are not its call's parameters."""

from __future__ import annotations

import dataclasses

import rtagents


@dataclasses.dataclass
class Search:
    """Search the product index."""

    index: str

    def __call__(self, query: str, limit: int = 5) -> str:
        return f"{self.index}: {query} ({limit})"


def test_a_callable_dataclass_is_a_tool_of_its_call_parameters() -> None:
    # The hints are __call__'s (query, limit), not the dataclass's fields (index): read from
    # the fields, 'query' would have "no type annotation" and the tool would be refused.
    made = rtagents.tool(Search("products"))
    assert made.parameters["required"] == ["query"]
    assert made.parameters["properties"]["limit"] == {"type": "integer", "default": 5}
