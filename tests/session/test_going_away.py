"""Which closes a session reconnects after: a server "going away" (close 1001, what a
server sends while it restarts or drains) is a drop like any other, over a real socket and
in process alike; a normal close (1000) ends the session, with no error."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, Say

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


class OneCall:
    """A call to ``look``, then an answer from its output."""

    def respond(self, ctx: ModelContext) -> list[Any]:
        if any(i.get("type") == "function_call_output" for i in ctx.items):
            return [Say("Found it.")]
        return [CallFunction("look", {}, call_id="call_look")]


@rtagents.tool
async def look() -> str:
    """Look it up."""
    await anyio.sleep(0.05)
    return "here"


async def converse(code: int, *, socket: bool) -> tuple[list[Any], int]:
    """One tool turn, the connection closed with ``code`` right after the call's arguments;
    the events told, and the number of connections the emulator saw."""
    events: list[Any] = []
    async with Emulator(model=OneCall(), realtime=False) as emu:
        where: dict[str, Any] = {"url": emu.url} if socket else {"transport": emu.transport}
        agent = rtagents.Agent(name="a", tools=[look])
        async with rtagents.connect(agent, reconnect=FAST, **where) as session:
            session.on("*")(events.append)
            drop = DropConnection(after="response.function_call_arguments.done", code=code)
            emu.last.add_fault(drop)
            await session.send_text("Where is it?")
            with anyio.fail_after(10):
                async for event in session:
                    if (
                        event.type == "response.done"
                        and event.response.output
                        and any(
                            getattr(item, "type", None) == "message"
                            for item in event.response.output
                        )
                    ):
                        break
                    if event.type == "session.closed":
                        break
                else:
                    pytest.fail("the session ended before it answered or closed")
        return events, len(emu.connections)


@pytest.mark.parametrize("socket", [True, False], ids=["socket", "in process"])
async def test_a_server_going_away_is_a_drop_the_session_survives(socket: bool) -> None:
    events, connections = await converse(1001, socket=socket)
    kinds = [e.type for e in events]
    assert connections == 2
    assert "session.reconnected" in kinds
    assert "tool.call.completed" in kinds
    assert "session.closed" not in kinds[: kinds.index("session.reconnected")]


@pytest.mark.parametrize("socket", [True, False], ids=["socket", "in process"])
async def test_a_normal_close_by_the_server_ends_the_session_without_error(socket: bool) -> None:
    events, connections = await converse(1000, socket=socket)
    closed = [e for e in events if e.type == "session.closed"]
    assert connections == 1
    assert [e.error for e in closed] == [False]
    assert "code 1000" in closed[0].reason


@rtagents.tool(inline=True)
def look_now() -> str:
    """Look it up at once."""
    return "here"


class LookNow:
    def respond(self, ctx: ModelContext) -> list[Any]:
        if any(i.get("type") == "function_call_output" for i in ctx.items):
            return [Say("Found it.")]
        return [CallFunction("look_now", {}, call_id="call_look")]


@pytest.mark.parametrize("socket", [True, False], ids=["socket", "in process"])
async def test_a_normal_close_a_send_sees_first_ends_the_session_too(socket: bool) -> None:
    """The server closes (1000) right after ``response.done``: our ``response.create`` for
    the call's output may meet the close before the reader does. Whoever meets it, the
    close is read by the one rule, and the session ends: it does not reconnect."""
    events: list[Any] = []
    async with Emulator(model=LookNow(), realtime=False) as emu:
        where: dict[str, Any] = {"url": emu.url} if socket else {"transport": emu.transport}
        agent = rtagents.Agent(name="a", tools=[look_now], output_modalities=["text"])
        async with rtagents.connect(agent, reconnect=FAST, **where) as session:
            session.on("*")(events.append)
            emu.last.add_fault(DropConnection(after="response.done", code=1000, reason="bye"))
            await session.send_text("Where is it?")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.closed":
                        break
                else:
                    pytest.fail("the session ended without session.closed")
        connections = len(emu.connections)
    assert connections == 1
    assert "session.reconnecting" not in [e.type for e in events]
    assert [e.error for e in events if e.type == "session.closed"] == [False]
