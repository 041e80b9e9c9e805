"""An ``on_delegation`` hook that never answers: the model "never waits for an answer that
will not come" (docs/live.md). The hook has the agent's ``tool_timeout``; past it, it is a
hook that failed: a ``session.warning`` naming it, and the model told silently."""

from __future__ import annotations

import threading

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.session.delegation import FAILED
from tests.session.live.harness import speak, until

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

RELEASE = threading.Event()


async def hangs(delegation: rtagents.Delegation) -> str:
    await anyio.sleep(1000)
    return "never"


def blocks(delegation: rtagents.Delegation) -> str:
    RELEASE.wait(20)  # (a sync hook: its thread is abandoned, let go at the test's end)
    return "late"


@pytest.mark.parametrize("hook", [hangs, blocks], ids=["async", "sync"])
async def test_a_hook_that_never_answers_is_given_up_at_the_tool_timeout(hook: object) -> None:
    agent = rtagents.Agent(instructions="Orders.", on_delegation=hook, tool_timeout=0.5)  # type: ignore[arg-type]
    RELEASE.clear()
    try:
        async with Emulator(model=ScriptedModel([CallFunction("lookup", {"order": 7})])) as emu:
            async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
                await speak(session)
                seen = await until(
                    session, lambda s: any(e.type == "session.warning" for e in s), within=5
                )
                warnings = [e.message for e in seen if e.type == "session.warning"]
                with anyio.fail_after(3):
                    while not [
                        e for e in emu.last.received if e["type"] == "session.thinking.append"
                    ]:
                        await anyio.sleep(0.01)
                told = [e for e in emu.last.received if e["type"] == "session.thinking.append"]
    finally:
        RELEASE.set()
    assert any("on_delegation" in w and "0.5" in w for w in warnings), warnings
    assert [e["content"] for e in told] == [FAILED]
