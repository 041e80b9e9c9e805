"""``ask()`` reads "until the answer to that message is complete (...), the request for it
is refused, or the session ends" (docs/session.md). A drop after the answer's message is
done but before its ``response.done`` arrives: the answer counts as given (the app's request
had output, so nothing is asked again), the new connection gets the conversation back with
it, and the response's end never comes: ``ask()`` returns at the reconnect, the answer said.
Before, it waited for that end for ever."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import DropConnection, Emulator, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]

FAST = Reconnect(backoff=0.01, max_backoff=0.05)


async def test_ask_returns_when_its_answer_was_given_before_a_drop() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["Hello there.", "(a second answer)"])) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=FAST) as session:
            emu.last.add_fault(DropConnection(after="response.output_item.done"))
            events: list = []
            with anyio.move_on_after(5) as waited:
                events = await session.ask("Hi")
            assert session.closed_reason is None
            assert not waited.cancelled_caught, (
                "ask() never returned: its answer was given before the drop, and the "
                "response's end never comes on the new connection"
            )
    said = [e.text for e in events if e.type == "response.output_text.done"]
    assert said and said[0] == "Hello there."
