"""docs/approvals.md: a ``needs_approval`` check's "late answer is ignored, as is that of an
async check that ignores its cancellation", and a barge-in that cancels a call while it waits
is a deny (``cancelled``). ``authorize`` ignores a late answer only when the policy's own
timeout cut the check (``clock.cancel_called``) or the app switched agents: when a barge-in
cancelled the call, an async check that swallowed the cancellation and then answers
``False`` ("no approval needed") lets the tool's code start, after the call was answered as
cancelled and the model told so."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel, audio

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

ran: list[str] = []


async def stubborn_check(ctx: Any, args: dict[str, Any]) -> bool:
    """A slow lookup (a risk score) that does not let a cancellation stop it."""
    for _ in range(20):
        try:  # noqa: SIM105 (the point: a check that swallows its cancellation)
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            pass
    return False  # a small amount: no approval needed


@rtagents.tool(needs_approval=stubborn_check, cancel_on_interrupt=True)
async def wire(amount: int) -> str:
    """Wire money."""
    ran.append(f"wired {amount}")
    return "wired"


async def test_a_call_cancelled_by_a_barge_in_during_its_check_never_runs() -> None:
    ran.clear()
    model = ScriptedModel([CallFunction("wire", {"amount": 5}, call_id="w"), "What now?", "x"])
    agent = rtagents.Agent(
        name="t",
        tools=[wire],
        output_modalities=["text"],
        turn_detection=rtagents.protocol.ServerVad(silence_duration_ms=200),
    )
    failed: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("wire 5")
            with anyio.fail_after(15):
                async for event in session:
                    if event.type == "tool.call.started":
                        # The user speaks over it while its check still runs.
                        await session.send_audio(
                            audio.tone(300).tobytes() + audio.silence(400).tobytes()
                        )
                    if event.type == "tool.call.failed":
                        failed.append(event)
                        break
                else:
                    pytest.fail("the session ended first")
            await anyio.sleep(1.5)  # the check's own end, and whatever follows it
    assert [f.kind for f in failed] == ["cancelled"]
    assert ran == [], "the tool ran after its call was cancelled by the barge-in"
