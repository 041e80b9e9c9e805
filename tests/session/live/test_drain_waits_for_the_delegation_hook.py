"""``session.drain()`` (a CallServer's drain on deploys) lets the work in flight finish and
sends its answers before it closes (docs/deployment.md, ``RealtimeSession.drain``). On
GPT-Live with client delegation the work in flight is the agent's ``on_delegation`` hook:
its answer is what the caller waits for."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from tests.session.live.harness import speak

pytestmark = pytest.mark.anyio


async def test_a_drain_sends_the_answer_of_a_hook_in_flight() -> None:
    started = anyio.Event()

    async def on_delegation(delegation: rtagents.Delegation) -> str:
        started.set()
        await anyio.sleep(0.5)  # a lookup that takes a moment
        return "Your order ships tomorrow."

    agent = rtagents.Agent(instructions="Orders.", on_delegation=on_delegation)
    async with Emulator(model=ScriptedModel([CallFunction("lookup", {"order": 7})])) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            with anyio.fail_after(5):
                await started.wait()
                await session.drain(grace=5)
        sent = [e for e in emu.last.received if e["type"] == "session.commentary.append"]
    assert [e["content"] for e in sent] == ["Your order ships tomorrow."]
