"""The call pipeline's own parts stay out of ``ToolContext``; failures are exception classes.

A tool author's context holds what a tool uses (the call, the session, the agent, the deps).
How the session runs the tool's code (its worker threads, when the clock starts, a late
result) is given to ``BaseTool.invoke`` as an ``Invocation``, beside the context.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ToolContext
from rtagents.emulator import CallFunction, ModelContext, ScriptedModel
from rtagents.mcp import MCPServerUnavailable
from rtagents.tools import ToolUnavailable
from rtagents.tools.invocation import Invocation

from ..session.harness import responses_done, run_agent, say

pytestmark = pytest.mark.anyio


def echo_outputs(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


def text_agent(*tools: rtagents.tools.BaseTool) -> rtagents.Agent:
    return rtagents.Agent(name="t", instructions="T.", tools=tools, output_modalities=["text"])


# -- ToolContext holds what a tool uses ------------------------------------------------------


WHAT_A_TOOL_USES = ["call_id", "tool_name", "arguments", "session", "agent", "deps"]


def test_tool_context_holds_only_what_a_tool_author_uses() -> None:
    assert [f.name for f in dataclasses.fields(ToolContext)] == WHAT_A_TOOL_USES


async def test_a_sync_tool_in_a_session_gets_a_context_with_nothing_of_the_runner() -> None:
    seen: list[tuple[ToolContext, int]] = []

    @rtagents.tool
    def remember(ctx: ToolContext, note: str) -> str:
        """Keep a note."""
        seen.append((ctx, threading.get_ident()))
        return f"kept {note}"

    model = ScriptedModel([CallFunction("remember", {"note": "x"}, call_id="r"), echo_outputs])
    run = await run_agent(text_agent(remember), model, say("note"), until=responses_done(2))
    assert run.outputs == {"r": "kept x"}
    [(ctx, thread)] = seen
    assert thread != threading.get_ident()  # still run in a worker thread
    assert sorted(vars(ctx)) == sorted(WHAT_A_TOOL_USES)  # nothing set on it by the session
    assert (ctx.call_id, ctx.tool_name, ctx.arguments) == ("r", "remember", {"note": "x"})
    assert ctx.agent is not None and ctx.agent.name == "t"


# -- the Invocation: how the session runs a tool's code --------------------------------------


async def test_a_sync_tool_runs_through_the_invocation_given_beside_the_context() -> None:
    steps: list[str] = []

    @rtagents.tool
    def double(n: int) -> int:
        """Twice n."""
        steps.append("code")
        return 2 * n

    async def in_thread(fn: Callable[[], Any]) -> Any:
        steps.append("thread")
        return await anyio.to_thread.run_sync(fn)

    invocation = Invocation(run_in_thread=in_thread)
    ctx: ToolContext[Any] = ToolContext(call_id="c", tool_name="double")
    assert await double.invoke(double.parse_arguments('{"n": 3}'), ctx, invocation) == 6
    assert steps == ["thread", "code"]


async def test_an_async_tool_never_asks_the_invocation_for_a_thread() -> None:
    @rtagents.tool
    async def hello() -> str:
        """Greet."""
        return "hi"

    async def no_thread(fn: Callable[[], Any]) -> Any:
        pytest.fail("an async tool was given a thread")

    ctx: ToolContext[Any] = ToolContext(call_id="c", tool_name="hello")
    assert await hello.invoke(hello.parse_arguments("{}"), ctx, Invocation(no_thread)) == "hi"


async def test_outside_a_session_a_sync_tool_still_runs_in_a_worker_thread() -> None:
    @rtagents.tool
    def where() -> int:
        """The thread it runs in."""
        return threading.get_ident()

    assert int(await where.run_json("{}")) != threading.get_ident()


# -- failures are exception classes ----------------------------------------------------------


def test_an_mcp_server_unavailable_is_a_tool_unavailable() -> None:
    exc = MCPServerUnavailable("notes", EOFError("gone"))
    assert isinstance(exc, ToolUnavailable) and isinstance(exc, ConnectionError)
    assert str(exc) == "MCP server 'notes' is unavailable (EOFError: gone)"


async def test_a_tool_raising_tool_unavailable_is_told_unavailable_and_the_session_goes_on() -> (
    None
):
    @rtagents.tool
    async def quote(symbol: str) -> str:
        """A stock quote from a feed that is down."""
        raise ToolUnavailable("the quotes feed is down")

    @rtagents.tool
    async def marker() -> str:
        """Raises an error that only carries the old marker attribute."""
        error = RuntimeError("not a ToolUnavailable")
        error.rtagents_unavailable = True  # type: ignore[attr-defined]
        raise error

    model = ScriptedModel(
        [
            [
                CallFunction("quote", {"symbol": "ACME"}, call_id="q"),
                CallFunction("marker", {}, call_id="m"),
            ],
            echo_outputs,
        ]
    )
    run = await run_agent(text_agent(quote, marker), model, say("price?"), until=responses_done(2))
    body = json.loads(run.outputs["q"])
    assert body["error"] == "unavailable" and "quotes feed is down" in body["message"]
    assert json.loads(run.outputs["m"])["error"] == "error"  # a class decides, not an attribute
    [failed] = [e for e in run.of("tool.call.failed") if e.call_id == "q"]
    assert failed.kind == "unavailable" and isinstance(failed.exception, ToolUnavailable)
