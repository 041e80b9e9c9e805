"""The call pipeline's own parts stay out of ``ToolContext``; failures are exception classes.

A tool author's context holds what a tool uses (the call, the session, the agent, the deps).
How the session runs the tool's code (its worker threads, when the clock starts, a late
result) is given to ``BaseTool.invoke`` as an ``Invocation``, beside the context.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import threading
import time
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


async def test_a_failure_in_a_tools_task_group_is_told_by_its_cause() -> None:
    """A tool that fans out with a task group raises an exception group: the model was told
    "ExceptionGroup: unhandled errors in a TaskGroup", and a ToolUnavailable inside one was an
    ``error``. It reads the first real error now, and its kind; the app's event keeps the
    group as raised."""

    @rtagents.tool
    async def both(city: str) -> str:
        """Weather and traffic, fetched together."""

        async def weather() -> None:
            raise ValueError(f"no such city: {city}")

        async with anyio.create_task_group() as group:  # (asyncio.TaskGroup's, from 3.11)
            group.start_soon(weather)
        return "unreachable"

    @rtagents.tool
    async def feeds(symbol: str) -> str:
        """Quotes from two feeds, fetched together."""

        async def feed() -> None:
            raise ToolUnavailable("the quotes feed is down")

        async with anyio.create_task_group() as group:
            group.start_soon(feed)
        return "unreachable"

    model = ScriptedModel(
        [
            [
                CallFunction("both", {"city": "Atlantis"}, call_id="b"),
                CallFunction("feeds", {"symbol": "ACME"}, call_id="f"),
            ],
            echo_outputs,
        ]
    )
    run = await run_agent(text_agent(both, feeds), model, say("go"), until=responses_done(2))
    told = {call: json.loads(run.outputs[call]) for call in ("b", "f")}
    assert told["b"]["error"] == "error"
    assert told["b"]["message"] == "ValueError: no such city: Atlantis"
    assert told["f"]["error"] == "unavailable"
    assert told["f"]["message"] == "ToolUnavailable: the quotes feed is down"
    failed = {e.call_id: e for e in run.of("tool.call.failed")}
    assert type(failed["b"].exception).__name__ == "ExceptionGroup"  # (a backport's, on 3.10)


# -- results that are not values yet: drawn where the tool runs, or refused -----------------------


def test_a_generator_function_is_refused_when_decorated() -> None:
    def rows() -> Any:
        yield 1

    async def stream() -> Any:
        yield 1

    for fn in (rows, stream):
        with pytest.raises(TypeError, match=rf"tool .*{fn.__name__} is a generator function"):
            rtagents.tool(fn)


async def test_a_lazy_result_is_drawn_in_the_worker_thread_within_the_time_limit() -> None:
    # A sync tool's map() or iterator ran on the event loop when the output was made, past
    # the tool's timeout; now it is drawn in the tool's thread, where the timeout holds.
    threads: list[str] = []

    def slow(n: int) -> int:
        threads.append(threading.current_thread().name)
        time.sleep(0.4)
        return n

    @rtagents.tool(timeout=0.5)
    def numbers() -> Any:
        """Numbers, made slowly."""
        return map(slow, range(3))

    @rtagents.tool
    def letters() -> Any:
        """Letters."""
        return iter("ab")

    model = ScriptedModel(
        [
            [
                CallFunction("numbers", {}, call_id="n"),
                CallFunction("letters", {}, call_id="l"),
            ],
            echo_outputs,
        ]
    )
    run = await run_agent(text_agent(numbers, letters), model, say("go"), until=responses_done(2))
    assert json.loads(run.outputs["n"])["error"] == "timeout"
    assert run.outputs["l"] == '["a","b"]'
    assert threads and threading.main_thread().name not in threads


async def test_an_awaitable_result_is_awaited_and_an_async_iterator_refused() -> None:
    async def weather(city: str) -> str:
        return f"sunny in {city}"

    @rtagents.tool
    @functools.wraps(weather)
    def wrapped(city: str) -> Any:  # a plain decorator around an async function
        return weather(city)

    @rtagents.tool
    async def forgot(city: str) -> Any:
        """The weather, with an await missing."""
        return weather(city)

    async def items() -> Any:
        yield 1

    @rtagents.tool
    def lazy() -> Any:
        """Items, as an async generator object."""
        return items()

    model = ScriptedModel(
        [
            [
                CallFunction("weather", {"city": "Oslo"}, call_id="w"),
                CallFunction("forgot", {"city": "Rome"}, call_id="f"),
                CallFunction("lazy", {}, call_id="a"),
            ],
            echo_outputs,
        ]
    )
    run = await run_agent(
        text_agent(wrapped, forgot, lazy), model, say("go"), until=responses_done(2)
    )
    assert (run.outputs["w"], run.outputs["f"]) == ("sunny in Oslo", "sunny in Rome")
    failure = json.loads(run.outputs["a"])
    assert failure["error"] == "error" and "async iterator" in failure["message"]


async def test_a_failure_whose_text_is_past_the_output_limit_is_clipped() -> None:
    # A 3 MB exception message went to the model whole (a 16 MB one was a frame the server
    # refused, and the call was never answered); the app's event keeps all of it.
    @rtagents.tool
    async def read_log() -> str:
        """The log."""
        raise RuntimeError("x" * 3_000_000)

    def hiding(failure: Any) -> str:
        return "y" * 3_000_000  # a formatter that says too much is replaced too

    @rtagents.tool(format_failure=hiding)
    async def chatty() -> str:
        """Says too much."""
        raise RuntimeError("boom")

    model = ScriptedModel(
        [
            [CallFunction("read_log", {}, call_id="r"), CallFunction("chatty", {}, call_id="c")],
            echo_outputs,
        ]
    )
    agent = text_agent(read_log, chatty)
    run = await run_agent(agent, model, say("go"), until=responses_done(2))
    limit = agent.max_tool_output_bytes
    body = json.loads(run.outputs["r"])
    assert len(run.outputs["r"].encode()) <= limit
    assert body["error"] == "error" and "(clipped: 3000014 characters in all)" in body["message"]
    assert json.loads(run.outputs["c"]) == {"error": "error", "tool": "chatty"}
    [failed] = [e for e in run.of("tool.call.failed") if e.call_id == "r"]
    assert len(failed.message) == 3_000_014  # "RuntimeError: " and all of it
