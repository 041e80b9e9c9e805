"""A parameter annotated ``Iterable[int]`` (a natural annotation for "some numbers") is checked
and passed as a list. Left to pydantic, it would be validated lazily, as a one-shot iterator:
the arguments would be "valid" before any item was checked. Whoever read them first (a
``needs_approval`` check, an approval rule or handler, an app reading ``tool.call.started``)
would consume them, and the tool would get nothing. So an item of the wrong type is an invalid
argument, found before the tool runs. ``Iterator`` and ``Generator`` parameters cannot be read
whole first, and are refused when the tool is made."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from typing import Any

import pytest

import rtagents
from rtagents.emulator import CallFunction
from rtagents.testing import run_agent

pytestmark = pytest.mark.anyio


def big_total(ctx: rtagents.ToolContext, args: dict[str, Any]) -> bool:
    return sum(args["amounts"]) > 100


@rtagents.tool(needs_approval=big_total)
def pay(amounts: Iterable[int]) -> int:
    """Pay several amounts; returns the total paid."""
    return sum(amounts)


@rtagents.tool
def add(amounts: Iterable[int]) -> int:
    """Add amounts."""
    return sum(amounts)


async def test_the_tool_gets_the_arguments_its_approval_check_saw() -> None:
    agent = rtagents.Agent(name="desk", tools=[pay], output_modalities=["text"])
    script = [CallFunction("pay", {"amounts": [10, 20, 30]}, call_id="call_pay"), "Paid."]
    record = await run_agent(agent, script, "pay them", socket=True)
    # The check read the amounts; the tool still gets all three and pays 60, not 0.
    assert record.outputs["call_pay"] == "60"


async def test_an_item_of_the_wrong_type_is_an_invalid_argument() -> None:
    agent = rtagents.Agent(name="desk", tools=[add], output_modalities=["text"])
    script = [CallFunction("add", {"amounts": [1, "two", 3]}, call_id="call_add"), "Sorry."]
    record = await run_agent(agent, script, "add them", socket=True)
    [failed] = record.of("tool.call.failed")
    # Refused when the arguments are checked, not by pydantic's error mid-sum in the tool.
    assert failed.kind == "invalid_arguments", (failed.kind, failed.message)


def test_an_iterator_or_generator_parameter_is_refused_when_the_tool_is_made() -> None:
    """A list is no ``Iterator``: those cannot be read whole before the tool runs, so the
    signature is refused, saying what to use."""

    def counted(n: Iterator[int]) -> int:
        return sum(n)

    def made(n: Generator[int, None, None]) -> int:
        return sum(n)

    for fn in (counted, made):
        with pytest.raises(TypeError, match=r"checked lazily.*use list\[\.\.\.\]"):
            rtagents.tool(fn)
