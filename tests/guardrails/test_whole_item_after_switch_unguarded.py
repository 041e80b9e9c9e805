"""docs/guardrails.md, "Across a switch": "An answer's checks are those of the agent it began
under, to its end, also when that end comes after a handoff or ``update_agent`` (to an agent
with other guardrails, or none)"; and "At the item's end the check reads the item's own text
when it holds more than the deltas did". An answer whose deltas the session never got (a
server or sideband that sends none) is read at its end by the guardrails in force *then*:
begun under a guarded agent and ended after a switch to one without guardrails, it is never
checked, and a refund promise reaches the user."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel

from .reading import read_to_the_last_check

pytestmark = pytest.mark.anyio


class NoDeltas:
    """The emulator's connection, as a server that sends no text deltas, and whose item's
    end comes only once ``release`` is set."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.release = anyio.Event()

    def send_wont_block(self, frame: str) -> bool:
        return self._inner.send_wont_block(frame)

    async def send(self, frame: str) -> None:
        await self._inner.send(frame)

    async def recv(self) -> Any:
        while True:
            frame = await self._inner.recv()
            kind = json.loads(frame).get("type") if isinstance(frame, str) else None
            if kind == "response.output_text.delta":
                continue
            if kind == "response.output_item.done":
                await self.release.wait()
            return frame

    async def close(self) -> None:
        await self._inner.close()


async def test_an_answer_begun_guarded_is_checked_by_its_guardrails_after_a_switch() -> None:
    read: list[str] = []

    async def no_refunds(text: str) -> GuardrailResult:
        read.append(text)
        return Trip("it promised a refund") if "refund" in text else PASS

    guarded = rtagents.Agent(
        name="guarded", guardrails=Guardrails(output=[no_refunds]), output_modalities=["text"]
    )
    plain = rtagents.Agent(name="plain", output_modalities=["text"])
    events: list[Any] = []
    model = ScriptedModel(["Sure, I promise you a full refund."])
    async with Emulator(model=model) as emu:
        transport = NoDeltas(emu.transport())
        async with rtagents.connect(guarded, transport=transport, reconnect=None) as session:
            async with anyio.create_task_group() as tg:
                await session.send_text("Can I get my money back?")

                async def switch_once_it_began(event: Any) -> None:
                    if event.type == "response.created":
                        tg.start_soon(session.update_agent, plain)
                        await anyio.sleep(0.05)  # the app's switch made (runner.use)
                        transport.release.set()

                await read_to_the_last_check(session, events, switch_once_it_began, within=10)
    assert session.agent is plain
    assert read, "the answer was never checked (by the guardrails it began under)"
    assert [e.guardrail for e in events if e.type == "guardrail.tripped"] == ["no_refunds"]
