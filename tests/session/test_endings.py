"""How a session ends: once, with ``session.closed`` the last the app hears of the server,
and what a sync handler raises past ``Exception`` on the end's own events leaves ``connect``
as itself, whichever task of the session's ended it (never through the event loop)."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

import anyio
import pytest
from websockets.asyncio.server import serve

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

from .hostile import hostile_server
from .live.server import live_server
from .test_bursts import OneByOne

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("how", ["close 1011", "reset"])
async def test_a_handler_raising_on_the_end_a_drop_brings_leaves_connect(how: str) -> None:
    """The reader ends the session after a drop: a ``SystemExit`` from a handler of
    ``session.closed`` is raised by ``connect``, not by the event loop."""
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h")
        seen: list[str] = []
        with pytest.raises(SystemExit, match="bye"), anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url, reconnect=None) as session:
                session.on("session.closed")(lambda event: seen.append(event.type))

                @session.on("session.closed")
                def quit_now(event: Any) -> None:
                    raise SystemExit("bye")

                await server.drop(how)
                async for _ in session:
                    pass
    assert seen == ["session.closed"]


async def test_a_second_exit_raised_on_the_end_of_a_first_leaves_connect_as_the_first() -> None:
    """A handler's ``SystemExit`` ends the session; another handler's, on ``session.closed``,
    cannot escape the task that ended it: ``connect`` raises the first."""
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h")
        with pytest.raises(SystemExit) as info, anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:

                @session.on("rate_limits.updated")
                def quit_now(event: Any) -> None:
                    raise SystemExit(1)

                @session.on("session.closed")
                def quit_again(event: Any) -> None:
                    raise SystemExit(2)

                await server.send({"type": "rate_limits.updated", "rate_limits": []})
                async for _ in session:
                    pass
    assert info.value.code == 1


async def test_nothing_the_server_sent_after_its_end_is_told_after_session_closed() -> None:
    """GPT-Live's ``session.closed`` ends the session at once; frames the server sent after
    it, already read into the socket's buffer, are not told after the framework's own
    ``session.closed`` (which is the last event the app hears of the session)."""
    async with live_server() as server:
        seen: list[str] = []
        with anyio.fail_after(10):
            async with rtagents.connect(rtagents.Agent(), url=server.url, api="live") as session:
                session.on("*")(lambda event: seen.append(event.type))
                resource = {
                    "id": "live_1",
                    "model": "gpt-live-1",
                    "expires_at": 1,
                    "status": "active",
                }
                await server.send(
                    "session.closed", reason="expired", session=resource, usage={"seconds": 6.0}
                )
                for n in range(5):
                    await server.send(
                        "session.output_transcript.delta", delta=f"late {n}", start_ms=0, end_ms=1
                    )
                async for _ in session:
                    pass
                await anyio.sleep(0.2)  # what the reader would still have read
    assert "session.closed" in seen
    assert seen[seen.index("session.closed") :] == ["session.closed"]


# -- a sync handler's SystemExit, wherever the event is told from --------------------------------


def _slow_sync() -> Any:
    @rtagents.tool(name="work", timeout=0.1)
    def work() -> str:
        """Runs past its deadline, in a thread."""
        time.sleep(0.3)
        return "late"

    return work


def _background_done() -> Any:
    @rtagents.tool(name="work", background=True)
    async def work() -> str:
        """Background work that finishes."""
        await anyio.sleep(0.05)
        return "ok"

    return work


def _background_stuck() -> Any:
    @rtagents.tool(name="work", background=True, timeout=0.1)
    async def work() -> str:
        """Background work that never finishes."""
        await anyio.sleep(30)
        return "never"

    return work


@pytest.mark.parametrize(
    ("make", "event"),
    [
        (_slow_sync, "tool.call.abandoned"),  # told from a loop callback (the thread's result)
        (_background_done, "background.completed"),  # told in the call's own task
        (_background_stuck, "background.failed"),  # told from a loop callback (its deadline)
        (_background_done, "tool.call.started"),  # told in the call's task, before its guard
    ],
)
async def test_a_handlers_exit_ends_the_session_and_leaves_connect_wherever_it_was_told(
    make: Any, event: str
) -> None:
    """Wherever an event is told from (the reader, a call's task, a loop callback), a sync
    handler's ``SystemExit`` ends the session, and ``connect`` raises it: the app hears of
    the end, and no exception goes through the event loop."""
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h", tools=[make()])
        seen: list[str] = []
        with pytest.raises(SystemExit, match="bye"), anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:
                session.on("*")(lambda e: seen.append(e.type))

                @session.on(event)
                def quit_now(e: Any) -> None:
                    raise SystemExit("bye")

                await server.call("work", {}, "c1")
                async for _ in session:
                    pass
    assert event in seen  # every handler heard of it, the one that raised included
    assert seen[-1] == "session.closed" and seen.count("session.closed") == 1


class _LateFrames(OneByOne):
    """The emulator's frames; once ``holding``, the one that completes a call's arguments is
    held back until the session closes the connection: it arrives during the close
    handshake, after the app's ``close``."""

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self.holding = False
        self.arrived = anyio.Event()
        self.closing = anyio.Event()

    async def recv(self) -> str | bytes:
        frame = await self.inner.recv()
        if self.holding and '"response.function_call_arguments.done"' in str(frame):
            self.arrived.set()
            await self.closing.wait()
        return frame

    async def close(self) -> None:
        self.closing.set()
        await anyio.sleep(0.05)  # the close handshake, while the reader still reads
        await super().close()


async def test_a_frame_that_arrives_as_the_app_closes_starts_nothing() -> None:
    """The app closes while a frame that calls a tool is on its way: the session has ended
    (its calls reported, its end told), so the frame is not acted on: the tool never runs
    and nothing is told after ``session.closed``."""
    ran: list[str] = []

    @rtagents.tool
    async def side_effect() -> str:
        """Does something that matters."""
        ran.append("ran")
        return "done"

    model = ScriptedModel([CallFunction("side_effect", {}), "Done."])
    agent = rtagents.Agent(name="desk", tools=[side_effect], output_modalities=["text"])
    seen: list[str] = []
    async with Emulator(model=model) as emu:
        transport = _LateFrames(emu.transport())
        with anyio.fail_after(10):
            async with rtagents.connect(agent, transport=transport) as session:
                session.on("*")(lambda e: seen.append(e.type))
                transport.holding = True
                await session.send_text("Do it.")
                await transport.arrived.wait()
                await session.close()
            await anyio.sleep(0.1)  # a call started after the end would run its tool meanwhile
    assert ran == []
    assert seen[seen.index("session.closed") :] == ["session.closed"]


async def test_a_connect_cancelled_while_it_sets_up_closes_its_connection() -> None:
    """The server never answers the configuration, and the app gives up waiting: the
    session's connection is closed all the same, not left open behind the cancellation."""
    configuring, closed = anyio.Event(), anyio.Event()

    async def silent(ws: Any) -> None:  # a server that never answers session.update
        await ws.send(json.dumps({"type": "session.created", "session": {"type": "realtime"}}))
        with contextlib.suppress(Exception):
            async for frame in ws:
                if '"session.update"' in frame:
                    configuring.set()
        closed.set()

    async with serve(silent, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        agent = rtagents.Agent(name="h")
        waited = anyio.CancelScope()

        async def give_up_while_it_configures() -> None:
            await configuring.wait()
            waited.cancel()

        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(give_up_while_it_configures)
                with waited:
                    async with rtagents.connect(agent, url=f"ws://127.0.0.1:{port}/v1/realtime"):
                        pytest.fail("the server never took the configuration")
            assert waited.cancelled_caught
            await closed.wait()


async def test_an_exit_told_in_the_apps_own_task_leaves_connect_as_itself() -> None:
    """``interrupt()`` tells ``audio.interrupted`` in the app's own task: a handler's exit
    ends the session there too, and ``connect`` raises it, not the ``SessionClosedError``
    the block's next send then raises (which it carries as its context)."""
    agent = rtagents.Agent(name="d", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["Hello."])) as emu:
        with pytest.raises(SystemExit, match="bye") as info, anyio.fail_after(10):
            async with rtagents.connect(agent, transport=emu.transport()) as session:

                @session.on("audio.interrupted")
                def quit_now(event: Any) -> None:
                    raise SystemExit("bye")

                await session.interrupt()
                async for _ in session:
                    pass
                assert session.closed_reason == "SystemExit: bye was raised in the session"
                await session.send_text("and then?")  # the session is over: this raises
    assert isinstance(info.value.__context__, rtagents.SessionClosedError)


class _AtHand(OneByOne):
    """The emulator's frames, and frames a test puts at hand (``ready``): read without a
    wait, as a burst in the socket's buffer is."""

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self.ready: list[str] = []

    def buffered(self) -> bool:
        return bool(self.ready)

    async def recv(self) -> str | bytes:
        if self.ready:
            return self.ready.pop(0)
        return await self.inner.recv()


def _call_frames(call_id: str, name: str) -> list[str]:
    item = {"type": "function_call", "id": f"fc_{call_id}", "name": name, "arguments": "{}"}
    item |= {"call_id": call_id, "status": "completed"}
    at = {"response_id": "r1", "output_index": 0}
    return [
        json.dumps({"type": "response.output_item.added", "event_id": "e1", **at, "item": item}),
        json.dumps({"type": "response.output_item.done", "event_id": "e2", **at, "item": item}),
    ]


async def test_no_frame_read_after_a_handlers_exit_is_acted_on() -> None:
    """A handler exits on a burst's first event (told at the held burst's bound, while the
    reader still reads): the frames behind it, already at hand, start no call."""
    ran: list[str] = []

    @rtagents.tool
    async def side_effect() -> str:
        """Does something that matters."""
        ran.append("ran")
        return "done"

    agent = rtagents.Agent(name="desk", tools=[side_effect], output_modalities=["text"])
    seen: list[str] = []
    async with Emulator(model=ScriptedModel(["Hello."])) as emu:
        transport = _AtHand(emu.transport())
        with pytest.raises(SystemExit, match="bye"), anyio.fail_after(10):
            async with rtagents.connect(agent, transport=transport) as session:
                session.on("*")(lambda e: seen.append(e.type))

                @session.on("rate_limits.updated")
                def quit_now(e: Any) -> None:
                    raise SystemExit("bye")

                limits = json.dumps(
                    {"type": "rate_limits.updated", "event_id": "e0", "rate_limits": []}
                )
                transport.ready = [limits] * 70 + _call_frames("c1", "side_effect")
                await session.send_text("Hi")  # the emulator's answer wakes the reader
                async for _ in session:
                    pass
    assert "rate_limits.updated" in seen
    assert ran == [] and "tool.call.started" not in seen and "tool.call.failed" not in seen
