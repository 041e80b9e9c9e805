"""A connection seen to drop while it is given the conversation back (a send of the replay
fails) is not told as reconnected: ``session.reconnected`` is told once, for the connection
that took the replay, and the conversation goes on there, its tool output delivered once."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import DropConnection, Emulator
from rtagents.session.transport import Transport, TransportClosed

from .test_reconnect import Charger

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


class FailsMidReplay:
    """A connection whose second replayed item cannot be sent: it drops under the replay."""

    def __init__(self, inner: Transport) -> None:
        self.inner, self.items = inner, 0

    def send_wont_block(self, frame: str) -> bool:
        return True

    async def send(self, frame: str) -> None:
        if '"conversation.item.create"' in frame:
            self.items += 1
            if self.items == 2:
                await self.inner.close()
                raise TransportClosed("the connection dropped without a close frame")
        await self.inner.send(frame)

    async def recv(self) -> str | bytes:
        return await self.inner.recv()

    async def close(self) -> None:
        await self.inner.close()


async def test_a_drop_seen_mid_replay_is_not_told_as_reconnected() -> None:
    @rtagents.tool
    async def charge(amount: int) -> str:
        """Charge the card."""
        return f"charged {amount}"

    events: list[Any] = []
    async with Emulator(model=Charger(), realtime=False) as emu:

        def opened() -> Any:
            transport = emu.transport()
            return FailsMidReplay(transport) if len(emu.connections) == 2 else transport

        agent = rtagents.Agent(name="shop", tools=[charge], output_modalities=["text"])
        async with rtagents.connect(agent, transport=opened, reconnect=FAST) as session:
            session.on("*")(events.append)
            emu.last.add_fault(DropConnection(after="response.done"))
            await session.send_text("Charge me 5.")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "response.done" and "Answer" in str(event.response.output):
                        break
                else:
                    pytest.fail("the session ended before it answered")
        conversation = emu.last.conversation.items
    assert len(emu.connections) == 3
    reconnected = [e for e in events if e.type == "session.reconnected"]
    assert [e.attempts for e in reconnected] == [2]
    outputs = [i for i in conversation if i.get("type") == "function_call_output"]
    assert [o["output"] for o in outputs] == ["charged 5"]
