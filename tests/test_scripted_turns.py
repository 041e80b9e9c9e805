"""ScriptedModel turn shapes, as docs/testing.md describes them."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.testing import CallFunction, run_agent


@rtagents.tool
def lookup(order: str) -> str:
    """Look up an order."""
    return f"order {order}: shipped"


agent = rtagents.Agent(name="shop", tools=[lookup], output_modalities=["text"])


@pytest.mark.anyio
async def test_a_string_inside_a_list_turn_is_said() -> None:
    # "a string is said ... a list is several outputs at once" (docs/testing.md)
    script = [["Let me check.", CallFunction("lookup", {"order": "42"})], "It has shipped."]
    record = await run_agent(agent, script, "Where is order 42?", within=5)
    record.assert_called("lookup", order="42")
    assert record.replies == ["Let me check.", "It has shipped."]


@pytest.mark.anyio
async def test_a_script_given_as_one_string_is_one_turn() -> None:
    # run_agent takes say= as a str or a list of them; a script given as a str (mypy accepts
    # it: a str is a Sequence[str]) must not become one turn per character.
    plain = rtagents.Agent(name="greeter", output_modalities=["text"])
    record = await run_agent(plain, "Hello there!", "Hi", within=5)
    assert record.reply == "Hello there!"
