"""``session.ask()`` at its edges (the embedded emulator, a real session). It takes
``conversation.item.created`` (the beta API's and Azure's name for ``conversation.item.added``)
as its message's confirmation, and returns the answer. It returns the error when the server
refuses its message: no answer to it will come. And it returns at a response whose only call
asks for no next turn (``trigger_response=False``): nothing else will come. An ask() that waited
on in any of these cases would hang the app."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ErrorReply, ScriptedModel


class _ItemCreatedServer:
    """The emulator's connection, as a server that says ``conversation.item.created``
    (the beta API's, Azure's) where the GA API says ``conversation.item.added``: an event
    the session handles (realtime.py routes it as an item confirmation)."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def send_wont_block(self, frame: str) -> bool:
        return self._inner.send_wont_block(frame)

    async def send(self, frame: str) -> None:
        await self._inner.send(frame)

    async def recv(self):
        frame = await self._inner.recv()
        if isinstance(frame, str):
            frame = frame.replace('"conversation.item.added"', '"conversation.item.created"')
        return frame

    async def close(self) -> None:
        await self._inner.close()


@pytest.mark.anyio
async def test_ask_with_a_server_that_says_item_created() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["It is sunny."])) as emu:
        transport = _ItemCreatedServer(emu.transport())
        async with rtagents.connect(agent, transport=transport, reconnect=None) as session:
            with anyio.fail_after(3):
                events = await session.ask("Weather?")
    said = [e.text for e in events if e.type == "response.output_text.done"]
    assert said == ["It is sunny."]


@pytest.mark.anyio
async def test_ask_when_the_server_refuses_the_message_item() -> None:
    # The message is refused (an error to conversation.item.create): no answer to it will
    # come, and ask() returns with the refusal (the response.create still runs, and its
    # response, which answers without the message, is the next events').
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    refuse = ErrorReply(to="conversation.item.create", code="invalid_value")
    async with Emulator(model=ScriptedModel(["Hm?"]), faults=[refuse]) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(3):
                events = await session.ask("Hello?")
    assert events[-1].type == "error" and events[-1].error.code == "invalid_value"


@rtagents.tool(trigger_response=False)
async def note_it(text: str) -> str:
    """Note something down (the model need not answer)."""
    return "noted"


@pytest.mark.anyio
async def test_ask_returns_when_its_calls_ask_for_nothing_more() -> None:
    # ask()'s docstring: it ends at a response that "asks for nothing more". A response whose
    # only call is trigger_response=False asks for no next turn: nothing else will come.
    from rtagents.emulator import CallFunction

    agent = rtagents.Agent(name="a", tools=[note_it], output_modalities=["text"])
    model = ScriptedModel([CallFunction("note_it", {"text": "milk"})])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(3):
                events = await session.ask("Note: buy milk")
    assert any(e.type == "response.done" for e in events)
