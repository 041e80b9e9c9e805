"""A tool, an approval handler or a guardrail may raise an exception whose text cannot be
made (its ``__str__`` raises, as a library's error formatting a hostile value does). The call
is answered all the same (an ``error`` output naming the exception's type), and the session
goes on: ``errors.root_cause`` is the one way rtagents describes an exception, and it must
not raise in its turn."""

from __future__ import annotations

import json

import pytest

import rtagents
from rtagents.emulator import CallFunction, ModelContext, ScriptedModel
from rtagents.errors import root_cause

from ..session.harness import responses_done, run_agent, say

pytestmark = pytest.mark.anyio


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text for this")

    __repr__ = __str__


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


def test_root_cause_of_an_unprintable_exception() -> None:
    assert root_cause(ValueError(Unprintable())).startswith("ValueError: <")


@pytest.mark.parametrize("sync", [False, True])
async def test_a_tool_raising_an_unprintable_error_is_answered(sync: bool) -> None:
    if sync:

        @rtagents.tool(name="boom")
        def boom_sync() -> str:
            """Fails."""
            raise ValueError(Unprintable())

        tool = boom_sync
    else:

        @rtagents.tool(name="boom")
        async def boom_async() -> str:
            """Fails."""
            raise ValueError(Unprintable())

        tool = boom_async
    agent = rtagents.Agent(name="t", tools=[tool], output_modalities=["text"])
    model = ScriptedModel([CallFunction("boom", {}, call_id="b"), echo])
    run = await run_agent(agent, model, say("go"), until=responses_done(2))
    output = json.loads(run.outputs["b"])
    assert output["error"], output
    assert "ValueError" in json.dumps(output), output
