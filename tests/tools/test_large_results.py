"""A tool's output is made off the event loop where it can be, and a result already known to
be past ``max_tool_output_bytes`` is not serialised at all.

A 150 MB result was serialised on the event loop (2.7 s of blocked loop) only to end as a
``too_large`` output. A sync tool's output is now made in its worker thread; a ``str`` or
``bytes`` result, or a list or dict with more items, whose length passes the limit is
``too_large`` before any serialisation (pydantic's serialiser holds the GIL: even in a
worker thread it pauses the loop).
"""

from __future__ import annotations

import json
import threading
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.tools import BaseTool, FunctionTool

from ..session.harness import responses_done, run_agent, say

pytestmark = pytest.mark.anyio

LIMIT = 1000


def echo_outputs(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


def agent_with(*tools: BaseTool) -> rtagents.Agent:
    return rtagents.Agent(
        name="t", tools=tools, output_modalities=["text"], max_tool_output_bytes=LIMIT
    )


class Recorded:
    """A value JSON cannot hold: pydantic's fallback calls ``str()`` on it, in whichever
    thread serialises the result."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.threads: list[int] = []

    def __str__(self) -> str:
        self.threads.append(threading.get_ident())
        return self.text


async def test_a_sync_tools_output_is_made_in_its_worker_thread() -> None:
    small, big = Recorded("small"), Recorded("y" * (2 * LIMIT))

    @rtagents.tool
    def report() -> dict[str, Any]:
        """A small report."""
        return {"value": small}

    @rtagents.tool
    def dump() -> dict[str, Any]:
        """A report past the limit."""
        return {"value": big}

    model = ScriptedModel(
        [[CallFunction("report", {}, call_id="r"), CallFunction("dump", {}, call_id="d")], "ok"]
    )
    run = await run_agent(agent_with(report, dump), model, say("go"), until=responses_done(2))
    assert run.outputs["r"] == '{"value":"small"}'
    assert json.loads(run.outputs["d"])["error"] == "too_large"
    loop_thread = threading.get_ident()
    assert small.threads and loop_thread not in small.threads
    assert big.threads and loop_thread not in big.threads


async def test_a_result_whose_length_passes_the_limit_is_too_large_unserialised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    @rtagents.tool
    async def blob() -> bytes:
        """Raw bytes, on the loop."""
        return b"x" * (LIMIT + 1)

    @rtagents.tool
    def blob_sync() -> bytearray:
        """Raw bytes, in a thread."""
        return bytearray(b"x" * (LIMIT + 1))

    @rtagents.tool
    async def text() -> str:
        """Text."""
        return "x" * (LIMIT + 1)

    @rtagents.tool
    def rows() -> list[int]:
        """More rows than the limit has bytes."""
        return list(range(LIMIT))

    @rtagents.tool
    async def fits() -> bytes:
        """Bytes that fit."""
        return b"ok"

    serialised: list[Any] = []
    for each in (blob, blob_sync, text, rows, fits):

        def recording(result: Any, each: BaseTool = each) -> str:
            serialised.append(result)
            return BaseTool.serialize(each, result)

        monkeypatch.setattr(each, "serialize", recording)
    large = ("blob", "blob_sync", "text", "rows")
    calls = [CallFunction(name, {}, call_id=name) for name in large]
    model = ScriptedModel([[*calls, CallFunction("fits", {}, call_id="fits")], echo_outputs])
    agent = agent_with(blob, blob_sync, text, rows, fits)
    run = await run_agent(agent, model, say("go"), until=responses_done(2))
    for name in large:
        body = json.loads(run.outputs[name])
        assert body["error"] == "too_large", name
        assert "MiB" in body["message"]
    assert run.outputs["fits"] == '"ok"'
    assert serialised == [b"ok"]  # only the result that fits was serialised


def test_a_tools_output_names_its_size_when_past_the_limit() -> None:
    from rtagents.tools.failures import ToolOutputTooLarge

    @rtagents.tool
    def rows() -> list[str]:
        """Rows."""
        return []

    assert rows.output({"a": "é"}, 64) == '{"a":"é"}'
    with pytest.raises(ToolOutputTooLarge) as info:
        rows.output(["é" * 40], 64)  # 44 characters, 84 bytes of UTF-8
    assert (info.value.size, info.value.limit) == (84, 64)
    with pytest.raises(ToolOutputTooLarge) as info:
        rows.output(b"x" * 65, 64)
    assert (info.value.size, info.value.limit) == (65, 64)
    with pytest.raises(ToolOutputTooLarge) as info:
        rows.output({str(n): n for n in range(13)}, 64)  # {"0":0,...}: 5 bytes an entry at least
    assert info.value.size == 66
    assert rows.output({str(n): n for n in range(6)}, 64).startswith('{"0":0,')


async def test_a_result_past_the_limit_after_its_call_was_given_up_is_still_abandoned() -> None:
    # Its side effects happened: the app hears of it, without the output, which was not made.
    release = threading.Event()

    @rtagents.tool(timeout=0.2)
    def export() -> str:
        """A slow export."""
        release.wait(5)
        return "x" * (LIMIT + 1)

    def given_up(ctx: ModelContext) -> str:
        release.set()
        return echo_outputs(ctx)

    model = ScriptedModel([[CallFunction("export", {}, call_id="e")], given_up])
    run = await run_agent(
        agent_with(export), model, say("go"), until=lambda r: bool(r.of("tool.call.abandoned"))
    )
    assert json.loads(run.outputs["e"])["error"] == "timeout"
    [abandoned] = run.of("tool.call.abandoned")
    assert abandoned.output == f"(the output is at least {LIMIT + 1} bytes; the limit is {LIMIT})"


class Enveloped(FunctionTool):
    """A tool that wraps its output: ``serialize`` must run once on a result."""

    def serialize(self, result: Any) -> str:
        return json.dumps({"ok": True, "data": super().serialize(result)})


def lookup(sku: str) -> str:
    """Look up a SKU (sync: its output is made in its worker thread)."""
    return f"{sku}: 3 left"


async def test_an_overridden_serialize_runs_once_on_a_sync_tools_result() -> None:
    turns = [CallFunction("lookup", {"sku": "A1"}, call_id="c"), "ok"]
    agent = rtagents.Agent(name="a", tools=[Enveloped(lookup)], output_modalities=["text"])
    async with Emulator(model=ScriptedModel(turns), realtime=False) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            with anyio.fail_after(10):
                events = await session.ask("How many A1?")
    [completed] = [e for e in events if e.type == "tool.call.completed"]
    assert completed.output == '{"ok": true, "data": "A1: 3 left"}'
    assert type(completed.output) is str
