"""Background tools against the emulator: the call is answered "started" at once, the
conversation goes on, and the work's result reaches the model later as one new message with
one response for it; also across a drop at each point of its way; cancelled at the close,
with a record; bounded by its own timeout, not the agent's."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import (
    CallFunction,
    DropConnection,
    Emulator,
    ModelContext,
    Say,
    ScriptedModel,
)
from rtagents.emulator.faults import Fault
from rtagents.session.journal_items import note_item_id

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)
STARTED = '{"status": "started", "task": "call_book"}'


def notes(items: list[dict[str, Any]]) -> list[str]:
    """The texts of the background results in a conversation (system messages)."""
    return [
        c.get("text") or ""
        for i in items
        if i.get("type") == "message" and i.get("role") == "system"
        for c in i.get("content", [])
    ]


def answer_the_note(ctx: ModelContext) -> Say:
    return Say("Told: " + " / ".join(notes(ctx.items)))


def booking_model() -> ScriptedModel:
    return ScriptedModel(
        [
            CallFunction("book", {"table": 4}, call_id="call_book"),
            "I have started booking.",
            "It is sunny.",
            answer_the_note,
        ]
    )


def booking_tool(gate: anyio.Event, runs: list[int], **options: Any) -> Any:
    @rtagents.tool(background=True, **options)
    async def book(table: int) -> str:
        """Book a table."""
        runs.append(table)
        await gate.wait()
        return f"table {table} booked"

    return book


async def until_told(session: rtagents.RealtimeSession, seen: list[Any]) -> None:
    """Read until the model's answer to the result is done; then nothing more is owed: no
    response active or asked for (decided as that response.done was read, before the app
    sees it)."""
    told = False
    with anyio.fail_after(10):
        async for event in session:
            seen.append(event)
            if event.type == "response.output_text.done" and event.text.startswith("Told:"):
                told = True
            if told and event.type == "response.done":
                assert not session._runner.core.orchestrator.waiting  # no second request
                return
            assert event.type != "session.closed", event.reason
        pytest.fail("the session ended before the model answered the result")


async def test_the_result_reaches_the_model_after_the_conversation_moved_on() -> None:
    gate, runs, events = anyio.Event(), list[int](), list[Any]()
    model = booking_model()
    agent = rtagents.Agent(
        name="host", tools=[booking_tool(gate, runs)], tool_timeout=0.05, output_modalities=["text"]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport) as session:
            session.on("*")(events.append)
            first = await session.ask("Book table 4.")
            assert "I have started booking." in texts(first)  # the call did not hold it up
            second = await session.ask("What is the weather?")  # the user's next turn
            assert "It is sunny." in texts(second)
            gate.set()  # the work ends now, long past the agent's tool_timeout
            await until_told(session, [])
        received = emu.last.received
        items = emu.last.conversation.items
    assert runs == [4]
    # The call was answered "started" in its batch; the result is one system message, last.
    [output] = [i for i in items if i.get("type") == "function_call_output"]
    assert output["output"] == STARTED
    assert notes(items) == ["The background task call_book (book) finished: table 4 booked"]
    kinds = [i.get("role") or i["type"] for i in items]
    assert kinds.index("system") > max(i for i, k in enumerate(kinds) if k == "user")
    # One response for it, asked once the item was sent.
    creates = [e.get("item", {}).get("role") or e["type"] for e in received]
    assert creates[creates.index("system") :].count("response.create") == 1
    assert len(model.contexts) == 4
    assert "table 4 booked" in " ".join(notes(model.contexts[-1].items))
    # Reported: the call once (its "started" output), then the work.
    kinds_seen = Counter(e.type for e in events)
    assert kinds_seen["tool.call.completed"] == 1 and kinds_seen["tool.call.failed"] == 0
    [started] = [e for e in events if e.type == "background.started"]
    [done] = [e for e in events if e.type == "background.completed"]
    assert (started.call_id, started.name, started.output) == ("call_book", "book", STARTED)
    assert (done.call_id, done.name, done.output) == ("call_book", "book", "table 4 booked")
    assert done.message == notes(items)[0]
    assert [e.call_ids for e in events if e.type == "response.requested"][-1] == (
        note_item_id("call_book"),
    )


def texts(events: list[Any]) -> list[str]:
    return [e.text for e in events if getattr(e, "type", "") == "response.output_text.done"]


POINTS: dict[str, Fault | None] = {
    "before the item is sent": None,  # dropped by the test while the work still runs
    "item sent, not acknowledged": DropConnection(on_client="conversation.item.create"),
    "item acknowledged": DropConnection(after="conversation.item.added"),
    "response.create in flight": DropConnection(on_client="response.create"),
    "the answer started": DropConnection(after="response.created"),
}


@pytest.mark.parametrize("point", list(POINTS))
async def test_the_result_reaches_the_model_exactly_once_across_a_drop(point: str) -> None:
    gate, runs, events = anyio.Event(), list[int](), list[Any]()
    model = booking_model()
    agent = rtagents.Agent(
        name="host", tools=[booking_tool(gate, runs)], output_modalities=["text"]
    )
    async with Emulator(model=model, keep_closed=4) as emu:
        async with rtagents.connect(agent, transport=emu.transport, reconnect=FAST) as session:
            session.on("*")(events.append)
            await session.ask("Book table 4.")
            await session.ask("What is the weather?")
            fault = POINTS[point]
            if fault is None:
                # The work ends while the connection is down: its result is journaled.
                session.on("session.reconnecting")(lambda _: gate.set())
                emu.last.drop()
            else:
                emu.last.add_fault(fault)
                gate.set()
            await until_told(session, [])
        connections = list(emu.connections)
    assert runs == [4]
    assert len(connections) == 2
    last = connections[-1].conversation.items
    assert len(notes(last)) == 1  # the new conversation has the result once
    for conn in connections:  # at most one request for it on each connection
        roles = [e.get("item", {}).get("role") or e["type"] for e in conn.received]
        if "system" in roles:
            assert roles[roles.index("system") :].count("response.create") <= 1, roles
    told = [e for e in events if e.type == "response.output_text.done" and "Told:" in e.text]
    assert len(told) == 1 and "table 4 booked" in told[0].text
    assert Counter(e.type for e in events)["background.completed"] == 1
    assert [e for e in events if e.type == "error" and e.error.code != "session_expired"] == []


async def test_cancelled_at_the_close_with_a_record(caplog: pytest.LogCaptureFixture) -> None:
    events: list[Any] = []
    cancelled = anyio.Event()

    @rtagents.tool(background=True)
    async def survey() -> str:
        """Run a long survey."""
        try:
            await anyio.sleep_forever()
        finally:
            cancelled.set()
        return "never"

    agent = rtagents.Agent(name="host", tools=[survey], output_modalities=["text"])
    model = ScriptedModel([CallFunction("survey", {}, call_id="call_survey"), "Started."])
    caplog.set_level(logging.WARNING, logger="rtagents.session")
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport) as session:
            session.on("*")(events.append)
            await session.ask("Survey, please.")
        received = emu.last.received
    assert cancelled.is_set()  # the work's task was cancelled
    [failed] = [e for e in events if e.type == "background.failed"]
    assert (failed.call_id, failed.name, failed.kind) == ("call_survey", "survey", "cancelled")
    assert "cancelled by the session's close" in failed.message
    order = [e.type for e in events]
    assert order.index("background.failed") < order.index("session.closed")
    [line] = [r.getMessage() for r in caplog.records if "background work" in r.getMessage()]
    assert "survey" in line and "call_survey" in line and "close" in line
    assert notes([e.get("item", {}) for e in received]) == []  # nothing told after the end


async def ask_and_drain(report: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    """Ask for the report (the model calls it, then says "Started."), drain the session:
    the events the app heard, and what the emulator received."""
    events: list[Any] = []
    agent = rtagents.Agent(name="host", tools=[report], output_modalities=["text"])
    model = ScriptedModel([CallFunction("report", {}, call_id="call_report"), "Started."])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport) as session:
            session.on("*")(events.append)
            await session.ask("The report, please.")
            await session.drain(grace=10)
        return events, emu.last.received


async def test_drain_waits_for_background_work_and_sends_its_result() -> None:
    @rtagents.tool(background=True)
    async def report() -> str:
        """Make the report."""
        await anyio.sleep(0.2)
        return "report ready"

    events, received = await ask_and_drain(report)
    assert [e.output for e in events if e.type == "background.completed"] == ["report ready"]
    sent = notes([e.get("item", {}) for e in received if e["type"] == "conversation.item.create"])
    assert sent == ["The background task call_report (report) finished: report ready"]


async def test_its_own_timeout_bounds_the_work_and_the_model_is_told() -> None:
    events: list[Any] = []

    @rtagents.tool(background=True, timeout=0.1)
    async def stuck() -> str:
        """Never ends."""
        await anyio.sleep_forever()
        return "never"

    agent = rtagents.Agent(name="host", tools=[stuck], output_modalities=["text"])
    model = ScriptedModel(
        [CallFunction("stuck", {}, call_id="call_stuck"), "Started.", answer_the_note]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport) as session:
            session.on("*")(events.append)
            await session.send_text("Go.")
            await until_told(session, [])
    [failed] = [e for e in events if e.type == "background.failed"]
    assert (failed.kind, failed.name) == ("timeout", "stuck")
    [told] = notes(model.contexts[-1].items)
    assert told.startswith("The background task call_stuck (stuck) failed:")
    assert failed.output in told


async def test_the_app_shapes_what_the_model_is_told() -> None:
    shape = rtagents.tools.Background(
        started=lambda call_id: {"queued": call_id},
        result=lambda done: f"[{done.tool_name}] {done.output}",
        role="user",
    )

    gate = anyio.Event()

    @rtagents.tool(background=shape)
    async def fetch() -> str:
        """Fetch it."""
        await gate.wait()
        return "fetched"

    def answer(ctx: ModelContext) -> Say:
        said = [i for i in ctx.items if i.get("type") == "message" and i.get("role") == "user"]
        return Say("Told: " + said[-1]["content"][0]["text"])

    model = ScriptedModel([CallFunction("fetch", {}, call_id="c1"), "Queued.", answer])
    agent = rtagents.Agent(name="host", tools=[fetch], output_modalities=["text"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport) as session:
            await session.ask("Fetch.")
            gate.set()
            seen: list[Any] = []
            await until_told(session, seen)
        items = emu.last.conversation.items
    outputs = [i["output"] for i in items if i.get("type") == "function_call_output"]
    assert outputs == ['{"queued":"c1"}']
    assert "Told: [fetch] fetched" in texts(seen)


def test_the_flag_is_checked() -> None:
    async def work() -> None:
        """Work."""

    with pytest.raises(ValueError, match="barge-in"):
        rtagents.tool(background=True, cancel_on_interrupt=True)(work)
    with pytest.raises(TypeError, match="Background"):
        rtagents.tool(background="yes")(work)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="role"):
        rtagents.tools.Background(role="assistant")  # type: ignore[arg-type]
    assert rtagents.tool(work).background is None
    assert rtagents.tool(background=True)(work).background == rtagents.tools.Background()


async def test_progress_in_background_work_is_reported_dropped_not_lost_silently() -> None:
    """The call was answered "started" already: an update of its work is not spoken (the
    conversation went on), and the app hears so (``progress.dropped``, with the reason)."""

    @rtagents.tool(background=True)
    async def report(ctx: rtagents.ToolContext) -> str:
        """Make the report."""
        await anyio.sleep(0.1)
        await ctx.progress("half of the report is done")
        return "report ready"

    events, _ = await ask_and_drain(report)
    [dropped] = [e for e in events if e.type == "progress.dropped"]
    assert (dropped.call_id, dropped.text) == ("call_report", "half of the report is done")
    assert "answered" in dropped.reason
    assert [e for e in events if e.type == "progress.spoken"] == []
