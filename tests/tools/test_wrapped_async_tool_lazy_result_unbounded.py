"""Review (diff b865454): a lazy result is drawn only so far as the output limit, for a sync
tool (in its thread) and an ``async def`` tool (``_settled(result, limit)``). But an async
function under a plain (sync) decorator -- docs/tools.md's "an awaitable (an async function
under a plain decorator ...)" row -- is a sync tool whose thread returns a coroutine, and
``FunctionTool.invoke`` ends with ``await _settled(result)``: no limit. The coroutine's
iterator is then drawn whole with ``list(...)`` on the event loop (an endless one for ever,
the session frozen, not even the call's timeout can answer it)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import pytest

import rtagents
from rtagents.emulator import CallFunction, ModelContext, ScriptedModel
from tests.session.harness import responses_done, run_agent, say

pytestmark = pytest.mark.anyio

LIMIT = 1000
SAFETY = 300_000  # the "endless" stream ends here, so that the test ends


class Stream:
    def __init__(self) -> None:
        self.drawn = 0

    def __iter__(self) -> Iterator[int]:
        return self

    def __next__(self) -> int:
        if self.drawn >= SAFETY:
            raise StopIteration
        self.drawn += 1
        return self.drawn


def logged(fn: Any) -> Any:
    """An app's plain decorator (logging, metrics): the function it wraps is async."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_an_async_function_under_a_plain_decorator_is_drawn_within_the_limit() -> None:
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
