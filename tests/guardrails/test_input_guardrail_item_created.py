"""An input guardrail reads the user's typed messages. A server that confirms the message with
``conversation.item.created`` (what the protocol reference says the server answers a
``conversation.item.create`` with; the session itself takes that event as the server having
the item, for outputs, background results and ``ask``) has the message never checked at
all: the input guardrail fails open."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel
from tests.session.test_handoff_count_item_created import ItemCreatedServer

pytestmark = pytest.mark.anyio


async def test_a_typed_message_confirmed_as_item_created_is_checked() -> None:
    checked: list[str] = []
    seen = anyio.Event()

    async def no_break_ins(text: str) -> GuardrailResult:
        checked.append(text)
        seen.set()
        return Trip("asks how to break in") if "pick a lock" in text else PASS

    agent = rtagents.Agent(
        name="shop", guardrails=Guardrails(input=[no_break_ins]), output_modalities=["text"]
    )
    async with Emulator(model=ScriptedModel(["First, insert a tension wrench."])) as emu:
        transport = ItemCreatedServer(emu.transport())
        async with rtagents.connect(agent, transport=transport, reconnect=None) as session:
            with anyio.fail_after(10):
                await session.ask("How do I pick a lock?")
            # The check starts as the server confirms the message; give it ample time.
            with anyio.move_on_after(3):
                await seen.wait()
    assert checked == ["How do I pick a lock?"]  # observed: [] (never checked)
