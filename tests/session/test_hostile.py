"""One bad frame, tool or server never kills or stalls a session.

Each case ends with a canary: a tool call made after the fault still gets its output, or the
session closed with ``session.closed`` and a reason, never a bare exception group."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.errors import SessionClosedError

from .hostile import Hostile, hostile_server

pytestmark = pytest.mark.anyio


@rtagents.tool
def canary() -> str:
    """Still alive?"""
    return "tweet"


class Watch:
    def __init__(self, session: rtagents.RealtimeSession) -> None:
        self.events: list[Any] = []
        session.on("*")(self.events.append)

    def of(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.type == kind]

    @property
    def warnings(self) -> list[str]:
        return [e.message for e in self.of("session.warning")]


@asynccontextmanager
async def session_on(
    server: Hostile, *tools: Any, **options: Any
) -> AsyncIterator[tuple[rtagents.RealtimeSession, Watch]]:
    agent = rtagents.Agent(
        name="h", tools=[canary, *tools], tool_timeout=options.pop("tool_timeout", 5)
    )
    async with rtagents.connect(agent, url=server.url, **options) as session:
        yield session, Watch(session)


async def still_alive(server: Hostile, n: int = 1) -> None:
    await server.call("canary", {}, f"canary_{n}")
    assert await server.output_for(f"canary_{n}") == "tweet"


# -- frames a real server sends, and frames no server should ---------------------------------

VOICE = {"id": "voice_1234"}


async def test_a_custom_voice_object_is_read() -> None:
    async with hostile_server() as server, session_on(server) as (session, watch):
        await server.send(
            {
                "type": "session.updated",
                "session": {"type": "realtime", "audio": {"output": {"voice": VOICE}}},
            }
        )
        await server.send(
            {
                "type": "response.created",
                "response": {
                    "id": "r0",
                    "status": "in_progress",
                    "audio": {"output": {"voice": VOICE}},
                },
            }
        )
        await server.send(
            {
                "type": "response.done",
                "response": {
                    "id": "r0",
                    "status": "completed",
                    "output": [],
                    "audio": {"output": {"voice": VOICE}},
                },
            }
        )
        await still_alive(server)
        [updated] = [e for e in watch.of("session.updated") if e.event_id != "evt_2"][-1:]
        assert updated.session.audio.output.voice.id == "voice_1234"
        assert watch.warnings == []


async def test_a_response_done_that_breaks_the_schema_still_ends_the_turn() -> None:
    async with hostile_server() as server, session_on(server) as (session, watch):
        await server.call("canary", {}, "c1", done=False, response_id="r1")
        item = {
            "type": "function_call",
            "id": "item_c1",
            "name": "canary",
            "arguments": "{}",
            "call_id": "c1",
            "status": "completed",
        }
        odd = {
            "id": "r1",
            "status": "finished_somehow",
            "output": [item],
            "usage": {"total_tokens": "many"},
        }
        await server.send({"type": "response.done", "response": odd})
        # Without the response.done, the next response.create would never be sent.
        await server.wait_for(lambda e: e["type"] == "response.create")
        assert any("response.status" in w for w in watch.warnings), watch.warnings
        await still_alive(server, 2)


async def test_older_content_names_and_dtmf_are_typed_events() -> None:
    async with hostile_server() as server, session_on(server) as (session, watch):
        item = {
            "id": "i1",
            "type": "message",
            "role": "assistant",
            "content": [{"type": "audio", "transcript": "hi"}, {"type": "text", "text": "hi"}],
        }
        await server.send({"type": "conversation.item.retrieved", "item": item})
        await server.send(
            '{"type": "input_audio_buffer.dtmf_event_received", "event": "7", "received_at": 1764000000}'
        )
        await still_alive(server)
        [retrieved] = watch.of("conversation.item.retrieved")
        assert [c.type for c in retrieved.item.content] == ["audio", "text"]
        [dtmf] = watch.of("input_audio_buffer.dtmf_event_received")
        assert (
            isinstance(dtmf, rtagents.protocol.InputAudioBufferDtmfEventReceived)
            and dtmf.event == "7"
        )
        assert watch.warnings == []


async def test_a_frame_nested_a_thousand_deep_is_a_warning() -> None:
    async with hostile_server() as server, session_on(server) as (session, watch):
        await server.send(
            '{"type": "response.done", "event_id": "e", "response": '
            + "[" * 1000
            + "]" * 1000
            + "}"
        )
        await server.send('{"type": "mystery", "x": ' + "[" * 1000 + "]" * 1000 + "}")
        await still_alive(server)
        assert len(watch.warnings) == 2, watch.warnings


async def test_a_text_frame_that_is_not_utf8_is_a_warning() -> None:
    async with hostile_server() as server, session_on(server) as (session, watch):
        assert server.ws is not None
        frame = b'{"type": "response.done", "event_id": "e", "response": {"id": "\xff\xfe"}}'
        await server.ws.send(frame, text=True)  # a text frame, as sent: not UTF-8
        await still_alive(server)
        [warning] = watch.warnings
        assert "not JSON" in warning and "utf-8" in warning


async def test_a_message_over_the_size_limit_closes_with_1009_and_the_session_reconnects() -> None:
    """websockets' rule (1009) decides the connection; the session treats it as a drop: the
    event before it is delivered, the session reconnects, and tools still run."""
    async with (
        hostile_server() as server,
        session_on(server, max_message_size=4096) as (session, watch),
    ):
        await server.send({"type": "mystery.before"})
        await server.send({"type": "mystery.huge", "pad": "x" * 8192})
        with anyio.fail_after(10):
            while not watch.of("session.reconnected"):
                await anyio.sleep(0.02)
        [reconnecting] = watch.of("session.reconnecting")
        assert "1009" in str(reconnecting.cause)
        assert any("mystery.before" in w for w in watch.warnings)
        assert not any("mystery.huge" in w for w in watch.warnings)
        await still_alive(server)


async def test_tool_arguments_nested_thousands_deep_are_answered() -> None:
    @rtagents.tool
    def store(data: Any) -> str:
        """Store."""
        return "stored"

    async with hostile_server() as server, session_on(server, store) as (session, watch):
        await server.call("store", '{"data": ' + "[" * 5000 + "]" * 5000 + "}", "deep")
        assert json.loads(await server.output_for("deep"))["error"] == "invalid_arguments"
        await still_alive(server)


# -- background failures ------------------------------------------------------------------------


async def test_a_failure_inside_the_session_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rtagents.session import realtime

    def flaky(core: Any, event: Any) -> Any:
        raise RuntimeError("core bug")

    # A route of the core's that fails (the routing table is the one way in).
    monkeypatch.setitem(realtime._ROUTES, "rate_limits.updated", flaky)
    async with hostile_server() as server, session_on(server) as (session, watch):
        await server.send({"type": "rate_limits.updated", "rate_limits": []})
        await still_alive(server)
        assert any("core bug" in w for w in watch.warnings), watch.warnings


async def test_a_crashing_background_task_closes_the_session_with_a_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rtagents.session.dispatch import Dispatcher

    async def broken(self: Any, action: Any) -> None:
        raise RuntimeError("approval machinery broke")

    monkeypatch.setattr(Dispatcher, "hosted_approval", broken)
    item = {
        "type": "mcp_approval_request",
        "id": "mcpr_1",
        "server_label": "x",
        "name": "t",
        "arguments": "{}",
    }
    async with hostile_server() as server, session_on(server) as (session, watch):
        await server.send(
            {
                "type": "response.output_item.done",
                "response_id": "r",
                "output_index": 0,
                "item": item,
            }
        )
        await still_alive(server)
        assert any("approval machinery broke" in w for w in watch.warnings), watch.warnings


# -- tools that misbehave -----------------------------------------------------------------------


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit, BaseException, GeneratorExit])
@pytest.mark.parametrize("sync", [True, False])
async def test_a_tool_raising_a_base_exception_is_answered(
    exc: type[BaseException], sync: bool
) -> None:
    if sync:

        def bad() -> str:
            raise exc("tool blew up")
    else:

        async def bad() -> str:  # type: ignore[misc]
            raise exc("tool blew up")

    bad.__doc__ = "Explode."
    tool = rtagents.tool(bad)
    async with hostile_server() as server, session_on(server, tool) as (session, watch):
        await server.call("bad", {}, "b1")
        body = json.loads(await server.output_for("b1"))
        assert (
            body["error"] == "error" and exc.__name__ in body.get("exception", "") + body["message"]
        )
        await still_alive(server)


async def test_a_tool_that_swallows_cancellation_is_answered_at_its_deadline() -> None:
    stop = asyncio.Event()

    @rtagents.tool(timeout=0.3)
    async def stubborn() -> str:
        """Does not stop when cancelled; only when the test lets it."""
        while not stop.is_set():
            try:
                await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                continue
        return "finally"

    started = time.monotonic()
    with anyio.fail_after(8):
        async with (
            hostile_server() as server,
            session_on(server, stubborn, shutdown_grace=0.5) as (session, watch),
        ):
            await server.call("stubborn", {}, "s1")
            body = json.loads(await server.output_for("s1", within=3))
            assert body["error"] == "timeout"
            await still_alive(server)
    assert time.monotonic() - started < 6  # the exit did not wait for the stubborn task
    stop.set()
    await anyio.sleep(0.2)


async def test_a_tool_that_lets_a_cancellation_of_its_own_out_is_answered() -> None:
    """A ``CancelledError`` the session did not cause (an inner task of the tool's was
    cancelled) is the tool's failure: the call is answered, the session goes on."""

    @rtagents.tool
    async def leaky() -> str:
        """Awaits an inner task that someone cancelled."""
        inner = asyncio.get_running_loop().create_task(asyncio.sleep(10))
        asyncio.get_running_loop().call_later(0.05, inner.cancel)
        await inner
        return "never"

    with anyio.fail_after(8):
        async with hostile_server() as server, session_on(server, leaky) as (session, watch):
            await server.call("leaky", {}, "k1")
            body = json.loads(await server.output_for("k1", within=3))
            assert body["error"] == "error" and "CancelledError" in body["message"]
            [failed] = watch.of("tool.call.failed")
            assert failed.kind == "error"
            await still_alive(server)


async def test_a_stubborn_tools_late_result_is_reported_as_abandoned() -> None:
    """An async tool that ignores its cancellation at the deadline: the call is answered at
    the deadline, and what the tool returns afterwards is reported, never sent."""
    stop = asyncio.Event()

    @rtagents.tool(timeout=0.2)
    async def stubborn() -> str:
        """Stops only when the test lets it."""
        while not stop.is_set():
            try:
                await asyncio.sleep(0.02)
            except asyncio.CancelledError:
                continue
        return "too late"

    with anyio.fail_after(8):
        async with (
            hostile_server() as server,
            session_on(server, stubborn, shutdown_grace=2) as (session, watch),
        ):
            await server.call("stubborn", {}, "s2")
            body = json.loads(await server.output_for("s2", within=3))
            assert body["error"] == "timeout"
            stop.set()
            while not watch.of("tool.call.abandoned"):
                await anyio.sleep(0.02)
            [late] = watch.of("tool.call.abandoned")
            assert late.output == "too late"
            assert len(watch.of("tool.call.failed")) == 1 and not watch.of("tool.call.completed")
            await still_alive(server)


async def test_an_output_over_the_limit_is_a_failure_the_model_reads() -> None:
    @rtagents.tool
    def dump() -> str:
        """A huge result."""
        return "x" * (3 * 2**20)

    async with (
        hostile_server(max_size=2**21) as server,
        session_on(server, dump) as (session, watch),
    ):
        await server.call("dump", {}, "d1")
        body = json.loads(await server.output_for("d1"))
        assert body["error"] == "too_large" and "MiB" in body["message"]
        [failed] = watch.of("tool.call.failed")
        assert failed.kind == "too_large"
        await still_alive(server)


async def test_a_sync_tools_timeout_counts_from_when_it_starts() -> None:
    @rtagents.tool(timeout=1.5)
    def work(n: int) -> str:
        """Half a second of blocking work."""
        time.sleep(0.5)
        return "ok"

    threads = {"sync_tool_threads": 40}
    async with hostile_server() as server, session_on(server, work, **threads) as (session, _):
        # 120 calls, 40 worker threads: the second wave waits 0.5 s and runs 0.5 s; the third
        # would pass the deadline if it counted from the queue (a wait for a thread is bounded
        # by the timeout on its own: see test_sync_pool).
        for i in range(120):
            await server.call("work", {"n": i}, f"w{i}", response_id="r")
        outputs = [await server.output_for(f"w{i}", within=10) for i in range(120)]
    assert outputs.count("ok") == 120, [o for o in outputs if o != "ok"][:2]


# -- calls in flight when the connection goes ---------------------------------------------------


@pytest.mark.parametrize("how", ["close 1011", "reset"])
async def test_calls_in_flight_when_the_connection_drops_are_reported(how: str) -> None:
    running, done = threading.Event(), threading.Event()

    @rtagents.tool(timeout=10)
    def slow_sync() -> str:
        """Side effect after a while."""
        running.set()
        time.sleep(0.4)
        done.set()
        return "charged the card"

    @rtagents.tool(timeout=10)
    async def slow_async() -> str:
        """Waits."""
        await anyio.sleep(5)
        return "late"

    async with hostile_server() as server:
        agent = rtagents.Agent(name="h", tools=[slow_sync, slow_async])
        events: list[Any] = []
        with anyio.fail_after(8):
            async with rtagents.connect(agent, url=server.url, reconnect=None) as session:
                session.on("*")(events.append)
                await server.call("slow_sync", {}, "s1")
                await server.call("slow_async", {}, "a1")
                while len([e for e in events if e.type == "tool.call.started"]) < 2:
                    await anyio.sleep(0.01)
                # In flight means its code runs: a call whose thread had not picked it up
                # when the connection went never runs at all (on a loaded machine, it may not).
                assert await anyio.to_thread.run_sync(running.wait, 5)
                await server.drop(how)
                async for _ in session:
                    pass
                await anyio.to_thread.run_sync(done.wait, 3)
                # The thread's result reaches the loop when the thread next gets a core:
                # waited for, not slept on (a loaded machine takes more than 0.1 s).
                with anyio.move_on_after(3):
                    while not any(e.type == "tool.call.abandoned" for e in events):
                        await anyio.sleep(0.01)
    failed = {e.call_id: e.kind for e in events if e.type == "tool.call.failed"}
    assert failed == {"s1": "disconnected", "a1": "disconnected"}
    closed = [e for e in events if e.type == "session.closed"]
    assert len(closed) == 1 and closed[0].error and closed[0].reason
    late = [e for e in events if e.type == "tool.call.abandoned"]
    assert [(e.call_id, e.output) for e in late] == [("s1", "charged the card")]


async def test_a_server_that_stops_reading_closes_the_session_with_a_reason() -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h")
        with anyio.fail_after(20):
            async with rtagents.connect(agent, url=server.url, send_timeout=1) as session:
                server.reading = False
                chunk = b"\0" * 48000
                with pytest.raises(SessionClosedError, match="timed out"):
                    for _ in range(10_000):
                        await session.send_audio(chunk)
                assert session.closed_reason and "timed out" in session.closed_reason


# -- call ids -------------------------------------------------------------------------------------


async def test_a_duplicate_call_id_in_a_later_response_is_answered_not_run() -> None:
    runs: list[int] = []

    @rtagents.tool
    def count() -> int:
        """Count."""
        runs.append(1)
        return len(runs)

    async with hostile_server() as server, session_on(server, count) as (session, watch):
        await server.call("count", {}, "same", response_id="r1")
        assert await server.output_for("same") == "1"
        await server.send(
            {
                "type": "response.created",
                "response": {"id": "r2", "status": "in_progress", "output": []},
            }
        )
        item = {
            "type": "function_call",
            "id": "item_other",
            "name": "count",
            "arguments": "{}",
            "call_id": "same",
            "status": "completed",
        }
        await server.send(
            {
                "type": "response.output_item.done",
                "response_id": "r2",
                "output_index": 0,
                "item": item,
            }
        )
        await server.send(
            {
                "type": "response.done",
                "response": {"id": "r2", "status": "completed", "output": [item]},
            }
        )
        await server.wait_for(lambda e: len(server.outputs("same")) == 2)
        assert runs == [1]
        assert (
            json.loads(server.outputs("same")[1])["error"] == "invalid_arguments"
            or "duplicate" in server.outputs("same")[1]
        )
        await still_alive(server)


async def test_a_call_id_replayed_after_thousands_of_calls_does_not_run_twice() -> None:
    runs: list[str] = []

    @rtagents.tool
    def tick(n: int) -> str:
        """Tick."""
        runs.append(str(n))
        return "ok"

    async with hostile_server() as server, session_on(server, tick) as (session, watch):
        core = session._runner.core
        # Seen ids are kept for the whole session: mark 5,000 calls as started.
        for i in range(5000):
            core.receive(
                rtagents.protocol.decode_server_event(
                    json.dumps(
                        {
                            "type": "response.function_call_arguments.done",
                            "event_id": "e",
                            "response_id": "old",
                            "item_id": f"i{i}",
                            "output_index": 0,
                            "call_id": f"c{i}",
                            "name": "nothing",
                            "arguments": "{}",
                        }
                    )
                )
            )
        await server.call("tick", {"n": 1}, "c0", response_id="again")
        await server.wait_for(lambda e: len(server.outputs("c0")) == 1)
        assert runs == []
        await still_alive(server)


async def test_connect_never_raises_an_exception_group() -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h")
        with pytest.raises(SystemExit) as info:
            async with rtagents.connect(agent, url=server.url) as session:

                @session.on("rate_limits.updated")
                async def quit_now(event: Any) -> None:
                    raise SystemExit(3)  # app code asking the process to exit

                await server.send({"type": "rate_limits.updated", "rate_limits": []})
                async for _ in session:
                    pass
        assert info.value.code == 3


@pytest.mark.parametrize("exc", [SystemExit, KeyboardInterrupt, BaseException])
async def test_a_sync_handler_raising_a_base_exception_ends_the_session_and_connect_raises_it(
    exc: type[BaseException],
) -> None:
    """A sync handler runs in the session's reader: what it raises past ``Exception`` must
    still end the session (an app reading its events is not left waiting) and leave
    ``connect`` as itself."""
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h")
        with pytest.raises(exc), anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:

                @session.on("rate_limits.updated")
                def quit_now(event: Any) -> None:
                    raise exc("app code asking the process to stop")

                await server.send({"type": "rate_limits.updated", "rate_limits": []})
                async for _ in session:
                    pass


@pytest.mark.parametrize("exc", [SystemExit, KeyboardInterrupt])
async def test_a_sync_handler_raising_in_a_calls_task_ends_the_session_and_connect_raises_it(
    exc: type[BaseException],
) -> None:
    """A call's end is told from the call's own task (once its output has left): what a
    sync handler raises there past ``Exception`` ends the session as it does in the reader,
    rather than going through the event loop."""
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h", tools=[canary])
        with pytest.raises(exc), anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:

                @session.on("tool.call.completed")
                def quit_now(event: Any) -> None:
                    raise exc("app code asking the process to stop")

                await server.call("canary", {}, "c0")
                async for _ in session:
                    pass
        assert server.outputs("c0")  # the call was answered before the end


async def test_a_handler_raising_as_the_session_ends_cannot_stop_the_end() -> None:
    """The end's own events (the call in flight failed) go out with ``session.closed``, last:
    a sync handler's SystemExit on one of them is raised once the app heard of them all."""
    async with hostile_server() as server:
        started = anyio.Event()

        @rtagents.tool
        async def slow() -> str:
            """Takes its time."""
            started.set()
            await anyio.sleep(30)
            return "late"

        agent = rtagents.Agent(name="h", tools=[slow])
        seen: list[str] = []
        with pytest.raises(SystemExit), anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:
                session.on("session.closed")(lambda event: seen.append(event.type))

                @session.on("tool.call.failed")
                def quit_now(event: Any) -> None:
                    raise SystemExit("app code asking the process to stop")

                await server.call("slow", {}, "c0")
                await started.wait()
                await session.close()
        assert seen == ["session.closed"]


async def test_a_cancelled_connect_waits_for_its_handlers_to_end() -> None:
    """Cancelling the block that holds a session cancels its tasks and waits for them, as a
    task group's exit does: a handler's cleanup has run when ``connect`` is left."""
    steps: list[str] = []
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h")
        with anyio.move_on_after(0.5) as scope:
            async with rtagents.connect(agent, url=server.url) as session:

                @session.on("rate_limits.updated")
                async def slow(event: Any) -> None:
                    steps.append("started")
                    try:
                        await anyio.sleep_forever()
                    finally:
                        with anyio.CancelScope(shield=True):
                            await anyio.sleep(0.3)
                        steps.append("cleaned up")

                await server.send({"type": "rate_limits.updated", "rate_limits": []})
                await anyio.sleep_forever()
        assert scope.cancelled_caught
        assert steps == ["started", "cleaned up"]


async def test_a_tool_whose_own_machinery_raises_is_still_answered() -> None:
    from rtagents.tools import BaseTool

    class Broken(BaseTool):
        name = "broken"
        description = "A custom tool with a bug in its argument parsing."

        def definition(self) -> Any:
            return rtagents.protocol.FunctionToolDefinition(name=self.name, parameters={})

        def parse_arguments(self, arguments: str) -> Any:
            raise RuntimeError("parser bug")  # not a ToolArgumentsError

        async def call(self, arguments: Any, ctx: Any) -> Any:
            return "unreachable"

    async with hostile_server() as server, session_on(server, Broken()) as (session, watch):
        await server.call("broken", {}, "b1")
        body = json.loads(await server.output_for("b1"))
        assert body["error"] == "error" and "parser bug" in body["message"]
        await still_alive(server)


async def test_a_hosted_request_is_answered_even_if_building_it_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rtagents.approvals import ApprovalRequest

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("request factory bug")

    monkeypatch.setattr(ApprovalRequest, "for_hosted", broken)
    item = {
        "type": "mcp_approval_request",
        "id": "mcpr_9",
        "server_label": "x",
        "name": "t",
        "arguments": "{}",
    }
    async with hostile_server() as server, session_on(server) as (session, watch):
        await server.send(
            {
                "type": "response.output_item.done",
                "response_id": "r9",
                "output_index": 0,
                "item": item,
            }
        )
        sent = await server.wait_for(
            lambda e: (
                e["type"] == "conversation.item.create"
                and e["item"].get("type") == "mcp_approval_response"
            )
        )
        assert sent["item"]["approve"] is False
        await still_alive(server)


@pytest.mark.parametrize("answer", ["raises", "not text"])
async def test_a_failure_formatter_that_breaks_is_replaced_by_one_that_hides_details(
    answer: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The app's formatter may be there to keep the exception's message from the model: what
    # replaces it must not tell more.
    def formatter(failure: Any) -> Any:
        if answer == "raises":
            return failure.exception.detail  # no such attribute: AttributeError
        return {"error": failure.kind}

    @rtagents.tool(format_failure=formatter)
    def book(day: str) -> str:
        """Book a day."""
        raise ValueError("the secret ledger is full")

    async with hostile_server() as server, session_on(server, book) as (session, watch):
        await server.call("book", {"day": "mon"}, "b1")
        body = json.loads(await server.output_for("b1"))
        assert body == {"error": "error", "tool": "book"}
        [failed] = watch.of("tool.call.failed")
        assert failed.kind == "error" and "ledger" in str(failed.exception)
        assert not session._runner.dispatcher.running
        await still_alive(server)
    assert "format_failure of tool 'book' failed" in caplog.text


async def test_a_call_id_no_utf8_can_carry_is_still_answered() -> None:
    """A lone surrogate in a call id (JSON's ``\\ud800``, which no UTF-8 text carries): the
    call is answered (the id as UTF-8 can carry it, U+FFFD in its place) and its batch asked
    for a response; the session goes on."""
    async with hostile_server() as server, session_on(server) as (session, watch):
        await server.call("canary", {}, "call_\ud800")

        def output(event: dict[str, Any]) -> bool:
            item = event.get("item") or {}
            return item.get("type") == "function_call_output" and item.get("output") == "tweet"

        sent = await server.wait_for(output)
        assert sent["item"]["call_id"] == "call_\ufffd"
        await server.wait_for(lambda e: e["type"] == "response.create")
        assert not [w for w in watch.warnings if "failed" in w]
        await still_alive(server)
