"""``max_handoffs`` counts the handoffs since the user last spoke: a typed message starts the
count again. The protocol reference (and the openai SDK's ``ConversationItemCreatedEvent``)
says the server confirms a ``conversation.item.create`` with ``conversation.item.created``,
and the session takes that event as the server having the item everywhere else (outputs,
background results, ``ask``). The handoffs' count only looks for ``conversation.item.added``:
against such a server the user's messages never reset it, so ``max_handoffs`` becomes a
bound on the whole session, and every transfer after it is refused."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


class ItemCreatedServer:
    """The emulator's connection, as a server that says ``conversation.item.created`` where
    the GA API says ``conversation.item.added`` (as tests/session/test_ask_answers.py)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def send_wont_block(self, frame: str) -> bool:
        return self._inner.send_wont_block(frame)

    async def send(self, frame: str) -> None:
        await self._inner.send(frame)

    async def recv(self) -> Any:
        frame = await self._inner.recv()
        if isinstance(frame, str):
            frame = frame.replace('"conversation.item.added"', '"conversation.item.created"')
        return frame

    async def close(self) -> None:
        await self._inner.close()


def agents() -> tuple[rtagents.Agent, rtagents.Agent]:
    billing = rtagents.Agent(
        name="billing",
        instructions="You handle refunds.",
        handoffs=[lambda: triage],
        max_handoffs=1,
        output_modalities=["text"],
    )
    triage = rtagents.Agent(
        name="triage",
        instructions="Find out what the user needs.",
        handoffs=[billing],
        max_handoffs=1,
        output_modalities=["text"],
    )
    return triage, billing


async def test_a_typed_message_confirmed_as_item_created_starts_the_count_again() -> None:
    model = ScriptedModel(
        [
            CallFunction("transfer_to_billing", call_id="h1"),
            "Billing here.",
            CallFunction("transfer_to_triage", call_id="h2"),
            "Triage again.",
        ]
    )
    triage, billing = agents()
    async with Emulator(model=model) as emu:
        transport = ItemCreatedServer(emu.transport())
        async with rtagents.connect(triage, transport=transport, reconnect=None) as session:
            with anyio.fail_after(10):
                first = await session.ask("I want a refund")
                assert session.agent is billing
                # The user speaks again: one handoff since then is within max_handoffs=1.
                second = await session.ask("Actually, something else")
    failed = [(e.call_id, e.message) for e in first + second if e.type == "tool.call.failed"]
    assert failed == []  # observed: [('h2', 'not transferred to triage: 1 handoffs followed ...')]
    assert session.agent is triage
