"""A sync tool's lazy result (an iterator: ``map(...)``, a cursor, a generator) is drawn
whole into a list in its worker thread before its size is measured, however far past
``max_tool_output_bytes`` it goes. Every item of a list costs at least two characters of
JSON (``[0,0]``), so past ``limit // 2 + 1`` items the output is known ``too_large``: the rest
is drawn (and held in memory) for nothing. An endless iterator (``itertools.count()``, a
stream) is never done: the call times out, but its thread draws on, its list growing until
the process runs out of memory. The docs promise a result past the limit is a ``too_large``
failure, and that "a result whose length alone shows it ... is not serialised at all".

Fault: ``FunctionTool.invoke`` (``run``: ``list(result)``) and ``_settled``: the draw is not
bounded by the output limit (``Invocation.finish`` knows it)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import pytest

import rtagents
from rtagents.emulator import CallFunction, ModelContext, ScriptedModel

from ..session.harness import responses_done, run_agent, say

pytestmark = pytest.mark.anyio

LIMIT = 1000
SAFETY = 300_000  # the "endless" stream ends here, so that the test ends


class Stream:
    """An endless stream of rows (ends at SAFETY only to keep the test finite)."""

    def __init__(self) -> None:
        self.drawn = 0

    def __iter__(self) -> Iterator[int]:
        return self

    def __next__(self) -> int:
        if self.drawn >= SAFETY:
            raise StopIteration
        self.drawn += 1
        return self.drawn


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_a_lazy_result_is_drawn_no_further_than_the_output_limit() -> None:
    stream = Stream()

    @rtagents.tool
    def rows() -> Iterator[int]:
        """Every row of the table."""
        return stream

    agent = rtagents.Agent(
        name="t", tools=[rows], output_modalities=["text"], max_tool_output_bytes=LIMIT
    )
    model = ScriptedModel([CallFunction("rows", {}, call_id="r"), echo])
    run = await run_agent(agent, model, say("go"), until=responses_done(2))
    assert json.loads(run.outputs["r"])["error"] == "too_large"
    # LIMIT // 2 + 1 items show it too large; an endless stream must not be drawn to its end.
    assert stream.drawn <= LIMIT, f"drew {stream.drawn} items for a {LIMIT}-byte limit"


async def test_an_async_tools_lazy_result_is_drawn_no_further_than_the_output_limit() -> None:
    # An async tool's iterator is drawn on the event loop (``_settled``): an endless one
    # never lets the loop go, so not even the call's timeout can answer the call.
    stream = Stream()

    @rtagents.tool(timeout=0.5)
    async def rows() -> Iterator[int]:
        """Every row of the table."""
        return stream

    agent = rtagents.Agent(
        name="t", tools=[rows], output_modalities=["text"], max_tool_output_bytes=LIMIT
    )
    model = ScriptedModel([CallFunction("rows", {}, call_id="r"), echo])
    run = await run_agent(agent, model, say("go"), until=responses_done(2))
    assert json.loads(run.outputs["r"])["error"] == "too_large"
    assert stream.drawn <= LIMIT, f"drew {stream.drawn} items on the event loop"


def logged(fn: Any) -> Any:
    """An app's plain decorator (logging, metrics): the function it wraps is async."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


async def test_an_async_function_under_a_plain_decorator_is_drawn_within_the_limit() -> None:
    # A sync tool whose thread returns a coroutine: its iterator is drawn on the loop too
    # (a review of the fix found it drawn whole there).
    stream = Stream()

    @rtagents.tool(timeout=0.5)
    @logged
    async def rows() -> Iterator[int]:
        """Every row of the table."""
        return stream

    agent = rtagents.Agent(
        name="t", tools=[rows], output_modalities=["text"], max_tool_output_bytes=LIMIT
    )
    model = ScriptedModel([CallFunction("rows", {}, call_id="r"), echo])
    run = await run_agent(agent, model, say("go"), until=responses_done(2))
    assert json.loads(run.outputs["r"])["error"] == "too_large"
    assert stream.drawn <= LIMIT, f"drew {stream.drawn} items on the event loop"
