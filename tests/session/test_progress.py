"""A tool's progress updates (``await ctx.progress(...)``), against the emulator over a real
socket: spoken as an out-of-band response while the tool runs, never as the batch's answer,
and never over a response that is speaking."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel
from rtagents.testing import SessionRecord, run_session
from rtagents.tools import ToolContext

from ..tracing.conftest import spans  # noqa: F401 (the fixture)

pytestmark = pytest.mark.anyio

UPDATE = "checking the calendar"
HEARD = "One moment, I am checking the calendar."


class Voice:
    """The scripted model; an aside asked with our update in its instructions is spoken as
    ``HEARD`` (a real model words it from the instructions)."""

    def __init__(self, turns: list[Any]) -> None:
        self.script = ScriptedModel(turns)
        self.asides: list[ModelContext] = []

    async def respond(self, ctx: ModelContext) -> list[Any]:
        if UPDATE in ctx.instructions:
            self.asides.append(ctx)
            return [Say(HEARD)]
        return await self.script.respond(ctx)


def answer(ctx: ModelContext) -> str:
    return "You are " + ctx.pending_outputs[0]["output"]


def out_of_band(frame: dict[str, Any]) -> bool:
    return (
        frame["type"] == "response.create"
        and (frame.get("response") or {}).get("conversation") == "none"
    )


def heard(event: Any) -> str:
    """The transcript of a response.done's spoken message, '' if none."""
    parts = [
        c.transcript or c.text or ""
        for item in event.response.output or []
        if item.type == "message"
        for c in item.content or []
    ]
    return " ".join(parts)


def answered(run: SessionRecord) -> bool:
    return any("You are free at 3 pm" in heard(e) for e in run.of("response.done"))


async def test_a_tools_progress_update_is_spoken_while_it_runs(
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    """The tool says how it goes, then waits until the emulator has finished speaking the
    update before it returns: were the update held until the call ended, the tool would
    time out. The out-of-band request reached the server before the call's output, the
    update's response completed before the output was sent, and the batch still had
    exactly one request for its answer."""
    update_spoken = anyio.Event()
    received_by_then: list[int] = []  # client frames the server had when the update ended

    @rtagents.tool
    async def check_calendar(ctx: ToolContext) -> str:
        """When is the user free?"""
        await ctx.progress(UPDATE)
        with anyio.fail_after(5):
            await update_spoken.wait()
        return "free at 3 pm"

    async def drive(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        connection = emu.last

        def watch(event: dict[str, Any]) -> None:
            response = event.get("response") or {}
            out_of_band = response.get("conversation_id") is None
            if event["type"] == "response.done" and out_of_band and HEARD in str(response):
                received_by_then.append(len(connection.received))
                update_spoken.set()

        connection.watch(watch)
        await session.send_text("When am I free?")

    model = Voice([CallFunction("check_calendar", {}, call_id="c1"), answer])
    agent = rtagents.Agent(name="t", tools=[check_calendar])
    run = await run_session(agent, model, drive, until=answered, within=15, socket=True)

    assert [c.output for c in run.calls] == ["free at 3 pm"]
    [spoken] = run.of("progress.spoken")
    assert (spoken.call_id, spoken.text) == ("c1", UPDATE)
    kinds = [
        "aside" if out_of_band(f) else f["item"].get("type", "") if "item" in f else f["type"]
        for f in run.client_events
        if f["type"] in ("response.create", "conversation.item.create")
    ]
    assert kinds == [
        "message",
        "response.create",
        "aside",
        "function_call_output",
        "response.create",
    ]
    [aside] = [f for f in run.client_events if out_of_band(f)]
    assert UPDATE in aside["response"]["instructions"]
    assert aside["response"]["output_modalities"] == ["audio"]
    # The server had finished speaking the update before the call's output reached it.
    output_at = next(
        i
        for i, f in enumerate(run.client_events)
        if f["type"] == "conversation.item.create" and f["item"]["type"] == "function_call_output"
    )
    assert received_by_then == [received_by_then[0]] and output_at >= received_by_then[0]
    [done] = [e for e in run.of("response.done") if HEARD in heard(e)]
    assert done.response.status == "completed" and done.response.conversation_id is None
    assert len(model.asides) == 1
    # A span event on the call's span (its text only when content is captured: not here).
    [tool_span] = [s for s in spans.get_finished_spans() if s.name.startswith("execute_tool")]
    [event] = [e for e in tool_span.events if e.name == "progress.spoken"]
    assert dict(event.attributes or {}) == {"gen_ai.tool.call.id": "c1"}


def calendar_until_its_update_starts() -> tuple[Any, Callable[[dict[str, Any]], None]]:
    """A tool that asks for an update at once and runs until the server started it, and
    the watch of the server's events that tells it so."""
    aside_started = anyio.Event()

    @rtagents.tool
    async def check_calendar(ctx: ToolContext) -> str:
        """When is the user free?"""
        await ctx.progress(UPDATE)
        with anyio.fail_after(10):
            await aside_started.wait()
        return "free at 3 pm"

    def watch(event: dict[str, Any]) -> None:
        response = event.get("response") or {}
        if event["type"] == "response.created" and response.get("conversation_id") is None:
            aside_started.set()

    return check_calendar, watch


async def test_progress_while_a_response_is_active_waits_for_its_end() -> None:
    """The model calls the tool, then goes on speaking (paced at real time): the tool's
    update, made at once, is asked for only after that response is done. (The tool runs
    until the server started its update, so that the update is not dropped as late.)"""
    check_calendar, watch = calendar_until_its_update_starts()

    long_turn = [
        CallFunction("check_calendar", {}, call_id="c1"),
        Say("Let me look at your calendar."),
    ]
    model = Voice([long_turn, answer])

    async def drive(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        emu.last.watch(watch)
        await session.send_text("When am I free?")

    agent = rtagents.Agent(name="t", tools=[check_calendar])
    run = await run_session(
        agent, model, drive, until=answered, within=20, socket=True, realtime=True
    )
    types = [e.type for e in run.events]
    started, spoken = types.index("tool.call.started"), types.index("progress.spoken")
    first_done = types.index("response.done")
    assert started < first_done < spoken  # the call ran while r1 spoke; its update waited
    assert heard(run.events[first_done]).startswith("Let me look at your calendar")
    assert len([f for f in run.client_events if out_of_band(f)]) == 1
    assert [c.output for c in run.calls] == ["free at 3 pm"]
    assert not run.of("session.warning")
    # The call ended while its update spoke: the update is cut off, and the app told.
    [dropped] = run.of("progress.dropped")
    assert (dropped.call_id, dropped.reason) == (
        "c1",
        "the call finished while it was asked for or spoken: cut off",
    )


async def test_an_update_still_speaking_when_its_call_finishes_is_cancelled(
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    """The call finishes while its update is being spoken: the update is out of date (the
    answer says more), so its response is cancelled, and the answer, which waits for the
    update's end, is not held up by the rest of it."""
    check_calendar, watch = calendar_until_its_update_starts()

    async def drive(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        emu.last.watch(watch)
        await session.send_text("When am I free?")

    model = Voice([CallFunction("check_calendar", {}, call_id="c1"), answer])
    agent = rtagents.Agent(name="t", tools=[check_calendar])
    run = await run_session(
        agent, model, drive, until=answered, within=20, socket=True, realtime=True
    )
    [aside] = [e for e in run.of("response.done") if e.response.conversation_id is None]
    assert aside.response.status == "cancelled"
    cancels = [f for f in run.client_events if f["type"] == "response.cancel"]
    assert [c["response_id"] for c in cancels] == [aside.response.id]
    assert [c.output for c in run.calls] == ["free at 3 pm"] and answered(run)
    assert not run.of("session.warning")
    # The app is told the update was cut off, and so is the trace.
    [dropped] = run.of("progress.dropped")
    assert (dropped.call_id, dropped.text) == ("c1", UPDATE) and "cut off" in dropped.reason
    # (Its call had ended: on the session's span, with the call's id.)
    [session_span] = [s for s in spans.get_finished_spans() if s.name.startswith("invoke_agent")]
    [event] = [e for e in session_span.events if e.name == "progress.dropped"]
    assert dict(event.attributes or {}) == {
        "gen_ai.tool.call.id": "c1",
        "rtagents.progress.reason": dropped.reason,
    }


async def test_progress_outside_a_session_is_a_no_op() -> None:
    """A tool called directly (a unit test of the tool) has no session: ``progress`` does
    nothing, and the context holds nothing of it."""

    @rtagents.tool
    async def check_calendar(ctx: ToolContext) -> str:
        """When is the user free?"""
        await ctx.progress(UPDATE)
        return "free"

    assert await check_calendar.run_json("{}") == "free"


async def test_a_blank_or_overlong_update_is_a_clear_error() -> None:
    ctx = ToolContext("local", "t")
    with pytest.raises(ValueError, match="empty"):
        await ctx.progress("  ")
    with pytest.raises(ValueError, match="at most"):
        await ctx.progress("x" * 501)
    with pytest.raises(TypeError, match="str"):
        await ctx.progress(42)  # type: ignore[arg-type]
