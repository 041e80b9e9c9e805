"""Tool dispatch against the emulator, over a real socket: the contract of DESIGN.md."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import anyio
import anyio.lowlevel
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel, audio
from rtagents.testing import sent_outputs

from .harness import responses_done, run_agent, say

pytestmark = pytest.mark.anyio


@rtagents.tool
async def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


@rtagents.tool
async def slow_lookup(query: str) -> dict[str, str]:
    """Takes a while."""
    await anyio.sleep(0.4)
    return {"query": query, "answer": "42"}


def echo_outputs(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


def text_agent(*tools: object, **options: object) -> rtagents.Agent:
    return rtagents.Agent(
        name="test", instructions="Test.", tools=list(tools), output_modalities=["text"], **options
    )  # type: ignore[arg-type]


async def test_one_call() -> None:
    model = ScriptedModel(
        [CallFunction("get_weather", {"city": "Paris"}, call_id="c1"), echo_outputs]
    )
    run = await run_agent(text_agent(get_weather), model, say("weather?"), until=responses_done(2))
    assert run.outputs == {"c1": "sunny in Paris"}
    assert [e.name for e in run.of("tool.call.completed")] == ["get_weather"]
    assert run.of("response.done")[-1].response.output[0].content[0].text == "sunny in Paris"
    assert len(run.sent("response.create")) == 2  # the user's turn, then one for the output


async def test_two_calls_one_slow_two_outputs_then_one_create() -> None:
    model = ScriptedModel(
        [
            [
                CallFunction("slow_lookup", {"query": "q"}, call_id="slow"),
                CallFunction("get_weather", {"city": "Oslo"}, call_id="fast"),
            ],
            echo_outputs,
        ]
    )
    run = await run_agent(
        text_agent(get_weather, slow_lookup), model, say("both"), until=responses_done(2)
    )
    items = [
        e for e in run.client_events if e["type"] in ("conversation.item.create", "response.create")
    ]
    kinds = [
        e["item"].get("call_id", "user") if e["type"] == "conversation.item.create" else "create"
        for e in items
    ]
    assert kinds == ["user", "create", "fast", "slow", "create"]
    assert json.loads(run.outputs["slow"]) == {"query": "q", "answer": "42"}
    completed = run.of("tool.call.completed")
    assert [e.call_id for e in completed] == ["fast", "slow"]  # outputs sent as each finished
    assert "sunny in Oslo" in run.of("response.done")[-1].response.output[0].content[0].text


@rtagents.tool
def explode(n: int) -> str:
    """Always fails."""
    raise ValueError(f"bad n: {n}")


@rtagents.tool(timeout=0.2)
async def hang() -> str:
    """Never returns."""
    await anyio.sleep(60)
    return "never"


@pytest.mark.parametrize(
    ("call", "kind", "needle"),
    [
        (CallFunction("explode", {"n": 3}, call_id="c"), "error", "ValueError: bad n: 3"),
        (CallFunction("hang", {}, call_id="c"), "timeout", "no result after 0.2 s"),
        (
            CallFunction("get_weather", {"town": "Rome"}, call_id="c"),
            "invalid_arguments",
            "city: required but missing",
        ),
        (
            CallFunction("get_weather", '{"city": ', call_id="c"),
            "invalid_arguments",
            "not valid JSON",
        ),
        (CallFunction("teleport", {}, call_id="c"), "unknown_tool", "no tool named 'teleport'"),
    ],
)
async def test_failures_become_outputs_the_model_reads(
    call: CallFunction, kind: str, needle: str
) -> None:
    model = ScriptedModel([call, echo_outputs, "still here"])

    async def script(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        await session.send_text("go")

    run = await run_agent(
        text_agent(get_weather, explode, hang), model, script, until=responses_done(2)
    )
    [failed] = run.of("tool.call.failed")
    assert failed.kind == kind and needle in failed.message
    body = json.loads(run.outputs["c"])
    assert body["error"] == kind and needle in body["message"]
    assert run.of("response.done")[-1].response.status == "completed"  # the model answered


async def test_a_user_turn_while_a_tool_runs() -> None:
    model = ScriptedModel(
        [
            CallFunction("slow_lookup", {"query": "q"}, call_id="slow"),
            "Hello while you wait.",
            echo_outputs,
        ]
    )

    async def script(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        await session.send_text("look it up")
        async for event in session:
            if event.type == "tool.call.started":
                break
        else:
            pytest.fail("the session ended before the event this loop waits for")
        await anyio.sleep(0.05)  # the call's response finishes first
        await session.send_text("hello?")

    run = await run_agent(text_agent(slow_lookup), model, script, until=responses_done(3))
    assert not [e for e in run.of("error")], run.of("error")
    texts = [
        e.response.output[0].content[0].text
        for e in run.of("response.done")
        if e.response.output and e.response.output[0].type == "message"
    ]
    assert texts == ["Hello while you wait.", '{"query":"q","answer":"42"}']
    assert len(run.sent("response.create")) == 3


async def test_barge_in_cancels_a_cancel_on_interrupt_tool() -> None:
    cancelled = anyio.Event()

    @rtagents.tool(cancel_on_interrupt=True)
    async def long_search(query: str) -> str:
        """A long search."""
        try:
            await anyio.sleep(30)
        finally:
            cancelled.set()
        return "never"

    model = ScriptedModel(
        [CallFunction("long_search", {"query": "x"}, call_id="c"), "What did you want?"]
    )
    agent = rtagents.Agent(
        name="t",
        tools=[long_search],
        output_modalities=["text"],
        turn_detection=rtagents.protocol.ServerVad(silence_duration_ms=200),
    )

    async def script(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        await session.send_text("search")
        async for event in session:
            if event.type == "tool.call.started":
                break
        else:
            pytest.fail("the session ended before the event this loop waits for")
        await session.send_audio(audio.tone(300).tobytes() + audio.silence(300).tobytes())

    run = await run_agent(agent, model, script, until=responses_done(2))
    assert cancelled.is_set()
    [failed] = run.of("tool.call.failed")
    assert failed.kind == "cancelled" and "started speaking" in failed.message
    assert json.loads(run.outputs["c"])["error"] == "cancelled"
    # The user's turn (server VAD) brought the next response; the cancelled call asked for none.
    assert len(run.sent("response.create")) == 1
    assert run.of("response.done")[-1].response.output[0].content[0].text == "What did you want?"


async def test_interrupt_cancels_the_response_and_stoppable_calls() -> None:
    @rtagents.tool(cancel_on_interrupt=True)
    async def wait_forever() -> str:
        """Waits."""
        await anyio.sleep(30)
        return "never"

    model = ScriptedModel([[CallFunction("wait_forever", {}, call_id="c")], "a long answer " * 20])
    agent = rtagents.Agent(name="t", tools=[wait_forever])

    async def script(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        await session.send_text("go")
        async for event in session:
            if event.type == "tool.call.started":
                break
        else:
            pytest.fail("the session ended before the event this loop waits for")
        await session.interrupt()

    run = await run_agent(agent, model, script, until=lambda r: bool(r.of("tool.call.failed")))
    assert run.of("tool.call.failed")[0].kind == "cancelled"
    assert run.of("audio.interrupted")


async def test_trigger_response_false_adds_the_output_without_a_turn() -> None:
    @rtagents.tool(trigger_response=False)
    def log_note(text: str) -> str:
        """Write a note."""
        return "noted"

    model = ScriptedModel([CallFunction("log_note", {"text": "hi"}, call_id="c")])
    run = await run_agent(
        text_agent(log_note),
        model,
        say("note it"),
        # The server confirmed the output: a response.create would have been sent by then.
        until=lambda r: any(
            e.item.type == "function_call_output" for e in r.of("conversation.item.added")
        ),
    )
    assert run.outputs == {"c": "noted"}
    assert len(run.sent("response.create")) == 1  # only the user's


async def test_sync_tools_run_in_threads_and_do_not_block_others() -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []

    @rtagents.tool
    def blocking(seconds: float) -> str:
        """Blocks its thread."""
        seen.append(threading.get_ident())
        time.sleep(seconds)
        return "slept"

    model = ScriptedModel(
        [
            [
                CallFunction("blocking", {"seconds": 0.5}, call_id="b"),
                CallFunction("get_weather", {"city": "Rome"}, call_id="w"),
            ],
            echo_outputs,
        ]
    )
    run = await run_agent(
        text_agent(blocking, get_weather), model, say("go"), until=responses_done(2)
    )
    assert seen and seen[0] != loop_thread
    assert [e.call_id for e in run.of("tool.call.completed")] == ["w", "b"]


async def test_two_hundred_tool_turns_in_a_row() -> None:
    counter = {"n": 0}

    @rtagents.tool
    def tick() -> int:
        """Count."""
        counter["n"] += 1
        return counter["n"]

    model = ScriptedModel([CallFunction("tick", {}) for _ in range(200)] + ["done"])
    run = await run_agent(
        text_agent(tick), model, say("count"), until=responses_done(201), timeout=60
    )
    assert counter["n"] == 200
    assert len(run.of("tool.call.completed")) == 200
    assert len(run.sent("response.create")) == 201
    assert run.of("response.done")[-1].response.output[0].content[0].text == "done"
    assert not run.of("error")


async def test_duplicate_call_ids_run_once() -> None:
    calls = []

    @rtagents.tool
    def once(x: int) -> int:
        """Record."""
        calls.append(x)
        return x

    model = ScriptedModel(
        [
            [
                CallFunction("once", {"x": 1}, call_id="same"),
                CallFunction("once", {"x": 2}, call_id="same"),
            ],
            echo_outputs,
        ]
    )
    run = await run_agent(text_agent(once), model, say("go"), until=responses_done(2))
    assert calls == [1]
    # Counted on the wire, not by call id: a second output for the same id is the bug.
    items = [e["item"] for e in run.sent("conversation.item.create")]
    assert [i["type"] for i in items].count("function_call_output") == 1


async def test_malformed_frames_and_unknown_events_mid_session() -> None:
    model = ScriptedModel(
        [CallFunction("get_weather", {"city": "Lima"}, call_id="c"), echo_outputs]
    )

    async def script(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        await emu.last.send_raw("{this is not json")
        await emu.last.send_raw('{"type": "response.done", "event_id": "e"}')
        await emu.last.send_raw('{"type": "response.hologram.delta", "event_id": "e2"}')
        await session.send_text("weather")

    run = await run_agent(text_agent(get_weather), model, script, until=responses_done(2))
    warnings = [w.message for w in run.of("session.warning")]
    assert any("not JSON" in w for w in warnings)
    assert any("malformed 'response.done'" in w for w in warnings)
    assert any("unknown event type 'response.hologram.delta'" in w for w in warnings)
    assert run.outputs == {"c": "sunny in Lima"}


async def test_a_dropped_connection_ends_the_session_with_a_reason() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        async with rtagents.connect(text_agent(get_weather), transport=emu.transport()) as session:
            emu.last.drop()
            events = [e async for e in session]
            assert events[-1].type == "session.closed"
            assert events[-1].error and "1011" in events[-1].reason
            with pytest.raises(rtagents.SessionClosedError):
                await session.send_text("anyone?")


async def test_slow_readers_lose_old_events_not_tool_calls() -> None:
    model = ScriptedModel(
        ["word " * 200, CallFunction("get_weather", {"city": "Kyiv"}, call_id="c"), echo_outputs]
    )
    async with Emulator(model=model) as emu:
        agent = rtagents.Agent(name="t", tools=[get_weather], output_modalities=["text"])
        async with rtagents.connect(
            agent, transport=emu.transport(), max_buffered_events=20
        ) as session:
            await session.send_text("talk")
            await anyio.sleep(0.5)  # not reading: the buffer overflows
            await session.send_text("weather")
            await anyio.sleep(0.5)
            first = await session.__anext__()
            assert first.type == "session.warning" and first.detail["dropped"] > 100
            events = [first]
            with anyio.fail_after(5):
                async for event in session:
                    events.append(event)
                    if (
                        event.type == "response.done"
                        and event.response.output[0].type == "message"
                        and "Kyiv" in (event.response.output[0].content[0].text or "")
                    ):
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
        assert set(sent_outputs(emu.last.received)) == {"c"}


async def test_handlers_sync_and_async() -> None:
    seen: list[str] = []
    model = ScriptedModel([CallFunction("get_weather", {"city": "Nice"}), "ok"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(
            text_agent(get_weather), url=emu.url, max_buffered_events=0
        ) as session:
            done = anyio.Event()

            @session.on("tool.call.completed")
            def on_tool(event: object) -> None:
                seen.append("sync")

            @session.on("response.done")
            async def on_done(event: object) -> None:
                seen.append("async")
                if seen.count("async") == 2:
                    done.set()

            @session.on("*")
            def broken(event: object) -> None:
                raise RuntimeError("handler bug")

            await session.send_text("go")
            with anyio.fail_after(5):
                await done.wait()
    assert sorted(seen) == ["async", "async", "sync"]  # async handlers run as their own tasks


async def test_connect_errors() -> None:
    with pytest.raises(rtagents.ConnectError, match="no OpenAI API key"):
        async with rtagents.connect(text_agent(), api_key=None):
            pass
    async with Emulator() as emu:
        with pytest.raises(rtagents.SessionConfigError) as info:
            async with rtagents.connect(rtagents.Agent(voice="robot"), url=emu.url):
                pass
        assert info.value.param == "session.audio.output.voice"
        with pytest.raises(rtagents.ConnectError, match="refused the connection: HTTP 404"):
            async with rtagents.connect(
                text_agent(), url=emu.url.replace("/v1/realtime", "/other")
            ):
                pass
    with pytest.raises(rtagents.ConnectError, match="cannot connect"):
        async with rtagents.connect(text_agent(), url="ws://127.0.0.1:9/v1/realtime"):
            pass
    with pytest.raises(rtagents.ConnectError, match="ws:// or wss://"):
        async with rtagents.connect(text_agent(), url="http://127.0.0.1/v1/realtime"):
            pass


async def test_update_agent_hands_off() -> None:
    @rtagents.tool
    def refund(order: str) -> str:
        """Refund an order."""
        return f"refunded {order}"

    model = ScriptedModel([CallFunction("refund", {"order": "A1"}, call_id="r"), echo_outputs])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(text_agent(get_weather), transport=emu.transport()) as session:
            billing = text_agent(refund).clone(name="billing", instructions="You handle refunds.")
            await session.update_agent(billing)
            assert emu.last.session["instructions"] == "You handle refunds."
            assert [t["name"] for t in emu.last.session["tools"]] == ["refund"]
            await session.send_text("refund A1")
            with anyio.fail_after(5):
                async for event in session:
                    if event.type == "tool.call.completed":
                        assert event.output == "refunded A1"
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")


def test_no_key_needed_for_emulator_urls_and_secrets_stay_out_of_reprs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rtagents.session.connect import endpoint

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    url, headers = endpoint("ws://127.0.0.1:1/v1/realtime", None, None, "gpt-realtime", None)
    assert url.endswith("?model=gpt-realtime") and headers == {}
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    url, headers = endpoint(None, None, {"X-Trace": "1"}, "gpt-realtime", None)
    assert url == "wss://api.openai.com/v1/realtime?model=gpt-realtime"
    assert headers == {"Authorization": "Bearer sk-from-env", "X-Trace": "1"}
    url, _ = endpoint(None, "sk-x", None, "gpt-realtime", "rtc_123")
    assert url.endswith("?call_id=rtc_123")


async def test_event_types_are_typed() -> None:
    model = ScriptedModel(["Hi"])
    run = await run_agent(text_agent(), model, say("hi"), until=responses_done(1))
    assert isinstance(run.of("response.done")[0], rtagents.protocol.ResponseDone)
    assert isinstance(run.of("session.updated")[0], rtagents.protocol.SessionUpdated)


async def test_commit_audio_and_cancel_response() -> None:
    model = ScriptedModel(["heard you", "a very long answer " * 30])
    agent = rtagents.Agent(name="t", turn_detection=None)  # audio out: paced, so a cancel lands
    async with Emulator(model=model, realtime=True) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.send_audio(audio.tone(300).tobytes())
            await session.commit_audio()
            await session.create_response()
            statuses = []
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "input_audio_buffer.committed":
                        assert emu.last.conversation.items[0]["_audio_ms"] == 300
                    if event.type == "response.done":
                        statuses.append(event.response.status)
                        if len(statuses) == 1:
                            await session.create_response(instructions="Talk a lot.")
                        else:
                            break
                    if event.type == "response.output_audio.delta" and statuses == ["completed"]:
                        statuses.append("cancel sent")  # once: more deltas may be on their way
                        await session.cancel_response()
                else:
                    pytest.fail("the session ended before the event this loop waits for")
        assert model.contexts[1].instructions == "Talk a lot."
    assert statuses == ["completed", "cancel sent", "cancelled"]
    assert [
        e["type"]
        for e in emu.last.received
        if e["type"] in ("input_audio_buffer.commit", "response.cancel")
    ] == ["input_audio_buffer.commit", "response.cancel"]


async def test_a_sync_tool_past_its_deadline_is_answered_then_its_late_result_reported() -> None:
    """Sync tools are awaited in place (no guard task): their thread is let go at the
    deadline, the call is answered at once, and the result that comes later is reported as
    abandoned, not lost and not sent."""

    @rtagents.tool(timeout=0.2)
    def blocking() -> str:
        """Blocks for 0.6 s."""
        time.sleep(0.6)
        return "done late"

    model = ScriptedModel([CallFunction("blocking", {}, call_id="b"), "ok"], then="ok")
    async with Emulator(model=model) as emu:
        async with rtagents.connect(rtagents.Agent(tools=[blocking]), url=emu.url) as session:
            events: list[Any] = []
            session.on("*")(events.append)
            started = time.monotonic()
            await session.send_text("go")
            with anyio.fail_after(5):
                while not any(e.type == "tool.call.failed" for e in events):
                    await anyio.sleep(0.01)
                answered_after = time.monotonic() - started
                while not any(e.type == "tool.call.abandoned" for e in events):
                    await anyio.sleep(0.01)
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    [late] = [e for e in events if e.type == "tool.call.abandoned"]
    assert failed.kind == "timeout" and answered_after < 0.5
    assert late.output == "done late"


def test_async_handlers_hear_of_calls_answered_outside_any_task() -> None:
    """A deadline fires in a loop timer, and a thread tool's late result arrives in a loop
    callback: neither runs in a task. The app's async handlers of what they cause run all the
    same, and the call is still answered to the server. Run under plain ``asyncio.run``, as
    an app runs: anyio's test runner leaves a context in which the bug would not show."""

    @rtagents.tool(timeout=0.1)
    async def sleepy() -> str:
        """Sleeps past its deadline."""
        await anyio.sleep(5)
        return "never"

    @rtagents.tool(timeout=0.1)
    def blocking() -> str:
        """Blocks past its deadline, then returns."""
        time.sleep(0.3)
        return "late"

    async def scenario() -> tuple[list[str], list[str]]:
        heard: list[str] = []
        model = ScriptedModel(
            [[CallFunction("sleepy", {}, call_id="s"), CallFunction("blocking", {}, call_id="b")]],
            then="ok",
        )
        async with Emulator(model=model) as emu:
            agent = rtagents.Agent(tools=[sleepy, blocking])
            async with rtagents.connect(agent, url=emu.url) as session:

                @session.on("tool.call.failed")
                @session.on("tool.call.abandoned")
                async def note(event: Any) -> None:
                    await anyio.lowlevel.checkpoint()
                    heard.append(f"{event.type} {event.call_id}")

                await session.send_text("go")
                with anyio.fail_after(5):
                    while len(heard) < 3 or len(sent_outputs(list(emu.last.received))) < 2:
                        await anyio.sleep(0.01)
                assert session.closed_reason is None
                return sorted(heard), sorted(sent_outputs(list(emu.last.received)))

    heard, outputs = asyncio.run(scenario())
    assert heard == [
        "tool.call.abandoned b",
        "tool.call.failed b",
        "tool.call.failed s",
    ]
    assert outputs == ["b", "s"]
