"""A partial of a tool is refused as the tool itself is: a new tool made of it would drop the
tool's options, its approval among them, and run without asking."""

from __future__ import annotations

import functools

import pytest

import rtagents


@rtagents.tool(needs_approval=True, timeout=5)
def refund(order_id: str, amount: float) -> str:
    """Refund an order."""
    return f"refunded {amount} on {order_id}"


def test_a_tool_made_again_is_refused() -> None:
    with pytest.raises(TypeError, match="is a tool already"):
        rtagents.tool(refund)


def test_a_partial_of_a_tool_is_refused_naming_its_function() -> None:
    with pytest.raises(TypeError, match=r"functools\.partial\(refund\.fn, \.\.\.\)"):
        rtagents.tool(functools.partial(refund, amount=10.0))


def test_a_partial_of_its_function_is_a_tool_with_its_own_options() -> None:
    made = rtagents.tool(needs_approval=True)(functools.partial(refund.fn, amount=10.0))
    assert made.needs_approval is True
    assert list(made.parameters["properties"]) == ["order_id"]
