"""session.ask() across a handoff: a tool of the target with trigger_response=False."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@rtagents.tool(trigger_response=False)
def log_note(note: str) -> str:
    """Keep a note (asks for no answer)."""
    return "noted"


async def test_ask_returns_after_the_targets_quiet_call() -> None:
    billing = rtagents.Agent(
        name="billing", instructions="Billing.", tools=[log_note], output_modalities=["text"]
    )
    triage = rtagents.Agent(
        name="triage", instructions="Triage.", handoffs=[billing], output_modalities=["text"]
    )
    script = [CallFunction("transfer_to_billing"), CallFunction("log_note", {"note": "x"})]
    async with Emulator(model=ScriptedModel(script)) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            with anyio.move_on_after(5) as scope:
                events = await session.ask("I need a refund")
            assert not scope.cancelled_caught, (
                "ask() never returned: the target's trigger_response=False call asks for "
                "no answer, but ask() waits for one"
            )
    done = [e for e in events if e.type == "response.done"]
    assert done[-1].response.output[-1].name == "log_note"
