"""A transfer "switches to the target agent, with one session.update: its instructions and
tools", and "the model's next turn runs as the new agent" (docs/handoffs.md; on GPT-Live the
backend's next delegated turn runs as the target). Both APIs' ``session.update`` is sparse:
a field left out keeps its value. A target that sets no ``instructions`` (or no
``tool_choice``) must not go on running under the leaving agent's: the update has to clear
what the leaving agent set, else the model answers as the leaving agent (and with its
``tool_choice="required"`` must call a tool on every turn)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak, spoken, until

pytestmark = pytest.mark.anyio

TRIAGE = "You triage. Never answer billing questions: hand them to billing."


def agents() -> tuple[rtagents.Agent, rtagents.Agent]:
    billing = rtagents.Agent(name="billing", output_modalities=["text"])  # no instructions
    triage = rtagents.Agent(
        name="triage",
        instructions=TRIAGE,
        tool_choice="required",
        handoffs=[billing],
        output_modalities=["text"],
    )
    return triage, billing


async def test_on_realtime_the_targets_turn_does_not_run_on_the_leaving_agents_settings() -> None:
    seen: list[str] = []

    def answer(ctx: ModelContext) -> str:
        seen.append(ctx.instructions)
        return "Billing here."

    triage, billing = agents()
    model = ScriptedModel([CallFunction("transfer_to_billing", call_id="h1"), answer])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            with anyio.fail_after(10):
                await session.ask("I want a refund")
            assert session.agent is billing
            config: dict[str, Any] = dict(session.config)
    assert seen, "billing never answered"
    assert seen[-1] != TRIAGE, "billing's turn ran on triage's instructions"
    assert config.get("tool_choice") in (None, "auto"), config.get("tool_choice")


async def test_on_live_the_backends_turn_does_not_run_on_the_leaving_agents_instructions() -> None:
    seen: list[str] = []

    def answer(ctx: ModelContext) -> str:
        seen.append(ctx.instructions)
        return "billing took over"

    triage, billing = agents()
    model = ScriptedModel([CallFunction("transfer_to_billing", call_id="h1"), answer])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.live_url, api="live") as session:
            await speak(session)
            await until(session, lambda events: "billing took over" in spoken(events))
            assert session.agent is billing
            backend = dict(session.config["delegation"]["responses"])
    assert seen, "billing never answered"
    assert seen[-1] != TRIAGE, "billing's delegated turn ran on triage's instructions"
    assert backend.get("instructions") != TRIAGE
