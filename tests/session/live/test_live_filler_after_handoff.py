"""A switch puts back the server's default of each setting an earlier configuration set and
the new agent leaves out (docs/handoffs.md, "What the new agent leaves out"). On the Realtime
API a transfer to an agent with no ``filler_after_ms`` has no filler from then on (the
session's own fillers follow the agent it runs). On GPT-Live the filler is the delegation's
``acknowledgement_delay_ms``: a transfer's (or ``update_agent``'s) ``session.update`` leaves
it out, and the session is left on the leaving agent's filler, a difference the docs do not
state."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel

from .harness import speak, spoken, until

pytestmark = pytest.mark.anyio


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_a_transfer_to_an_agent_without_a_filler_leaves_the_leaving_agents_on_live() -> None:
    billing = rtagents.Agent(name="billing", instructions="You refund.")
    triage = rtagents.Agent(
        name="triage", instructions="You triage.", handoffs=[billing], filler_after_ms=2000
    )
    model = ScriptedModel([CallFunction("transfer_to_billing", call_id="h1"), echo])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.live_url, api="live") as session:
            default = emu.last.session["delegation"].get("acknowledgement_delay_ms")
            assert default == 2000  # triage's filler
            await speak(session)
            await until(session, lambda seen: "billing has" in spoken(seen))
            assert session.agent is billing
            after: dict[str, Any] = emu.last.session["delegation"]
    # billing sets no filler: the server's default (0 for responses delegation, as the
    # emulator has it), not triage's 2 s.
    assert after.get("acknowledgement_delay_ms") != 2000  # observed: 2000


async def test_update_agent_to_an_agent_without_a_filler_leaves_the_old_one_on_live() -> None:
    @rtagents.tool
    def lookup(order: int) -> str:
        """Look an order up."""
        return "shipped"

    slow = rtagents.Agent(name="slow", tools=[lookup], filler_after_ms=2000)
    plain = rtagents.Agent(name="plain", tools=[lookup])
    async with Emulator(model=ScriptedModel([])) as emu:
        async with rtagents.connect(slow, url=emu.live_url, api="live") as session:
            await session.update_agent(plain)
            after = emu.last.session["delegation"]
    assert after.get("acknowledgement_delay_ms") != 2000  # observed: 2000
