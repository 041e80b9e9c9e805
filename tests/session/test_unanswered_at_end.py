"""A session that ends by a drop (reconnecting gave up, or ``reconnect=None``) tells the app
which finished calls' outputs no response answered: their ``tool.call.completed`` says the
tool finished, not that the model ever had its output."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ScriptedModel
from rtagents.errors import ConnectError

pytestmark = pytest.mark.anyio


@rtagents.tool
async def charge(amount: int) -> str:
    """Charge the card (slowly: the connection drops meanwhile)."""
    await anyio.sleep(0.3)
    return f"charged {amount}"


def once_only(emu: Emulator) -> Callable[[], Any]:
    """An opener whose first connection is the emulator's; it refuses every one after."""
    opened = 0

    def opener() -> Any:
        nonlocal opened
        opened += 1
        if opened > 1:
            raise ConnectError("the emulator refuses new connections")
        return emu.transport()

    return opener


async def ended_by(
    reconnect: Reconnect | None, *, close_by_app: bool = False, drop: bool = True
) -> list[Any]:
    events: list[Any] = []
    model = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="call_5"), "Done."])
    async with Emulator(model=model, realtime=False) as emu:
        opener = once_only(emu)

        agent = rtagents.Agent(name="shop", tools=[charge], output_modalities=["text"])
        async with rtagents.connect(agent, transport=opener, reconnect=reconnect) as session:
            session.on("*")(events.append)
            if drop:
                emu.last.add_fault(DropConnection(after="response.function_call_arguments.done"))
            await session.send_text("Charge me 5.")
            with anyio.fail_after(10):
                async for event in session:
                    if close_by_app and event.type == "tool.call.completed":
                        await session.close()
                    if event.type == "session.closed":
                        break
                else:
                    pytest.fail("the session ended without session.closed")
    return events


def unanswered(events: list[Any]) -> list[Any]:
    return [e.detail for e in events if e.type == "session.warning" and "answered" in e.message]


async def test_reconnecting_giving_up_names_the_outputs_no_response_answered() -> None:
    events = await ended_by(Reconnect(attempts=3, backoff=0.2, max_backoff=0.2))
    kinds = [e.type for e in events]
    assert kinds.index("tool.call.completed") < kinds.index("session.closed")
    assert unanswered(events) == [{"call_ids": ["call_5"]}]
    assert kinds[-1] == "session.closed" and events[-1].error


async def test_the_apps_own_close_while_connected_is_not_warned_of() -> None:
    """The output left on the connection: what the app's close cut short is its own doing."""
    slow = Reconnect(attempts=3, backoff=0.2, max_backoff=0.2)
    events = await ended_by(slow, close_by_app=True, drop=False)
    assert "tool.call.completed" in [e.type for e in events]
    assert unanswered(events) == []


async def test_the_apps_own_close_while_the_connection_is_down_names_them() -> None:
    """The output waited for the next connection, which never came: never sent at all (a
    bare close while reconnecting; ``drain`` waits for the reconnect)."""
    events = await ended_by(Reconnect(attempts=3, backoff=0.2, max_backoff=0.2), close_by_app=True)
    assert "tool.call.completed" in [e.type for e in events]
    assert unanswered(events) == [{"call_ids": ["call_5"]}]


@rtagents.tool(background=True)
async def build_report(week: int) -> str:
    """Build the weekly report (slowly: the connection drops meanwhile)."""
    await anyio.sleep(0.5)
    return f"report {week}"


async def test_a_background_result_never_answered_is_named_by_its_call() -> None:
    events: list[Any] = []
    turns = [CallFunction("build_report", {"week": 3}, call_id="call_bg"), "Started.", "Here."]
    async with Emulator(model=ScriptedModel(turns), realtime=False) as emu:
        opener = once_only(emu)

        agent = rtagents.Agent(name="r", tools=[build_report], output_modalities=["text"])
        slow = Reconnect(attempts=4, backoff=0.3, max_backoff=0.3)
        async with rtagents.connect(agent, transport=opener, reconnect=slow) as session:
            session.on("*")(events.append)
            await session.send_text("The report, please.")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "response.done":
                        emu.last.drop()  # the "started" turn is done: the result comes offline
                    if event.type == "session.closed":
                        break
                else:
                    pytest.fail("the session ended without session.closed")
    assert unanswered(events) == [{"call_ids": ["call_bg"]}]
