"""``session.update_agent(other)`` that fails leaves the session with the agent it had
(``update_agent``'s docstring: refused, "the session stays with the agent it had"). An
``other`` the session cannot take at all (its transfer tools clash: two targets named alike)
raises before anything is sent to the server, so nothing of ``other`` may apply: not
``session.agent``, and not its (absent) guardrails in place of those of the agent the server
still runs: guardrails fail closed."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


def no_break_ins(text: str) -> GuardrailResult:
    return Trip("asks how to break in") if "pick a lock" in text else PASS


async def test_an_update_agent_that_raises_changes_nothing() -> None:
    triage = rtagents.Agent(
        name="triage",
        guardrails=Guardrails(input=[no_break_ins]),
        output_modalities=["text"],
    )
    # Two targets whose transfer tools are both ``transfer_to_billing``.
    other = rtagents.Agent(
        name="other",
        handoffs=[rtagents.Agent(name="billing"), rtagents.Agent(name="Billing")],
        output_modalities=["text"],
    )
    model = ScriptedModel(["First you take a tension wrench..."])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            with pytest.raises(Exception) as raised:
                await session.update_agent(other)
            assert "transfer_to_billing" in str(raised.value)
            updates = [f for f in emu.last.received if f["type"] == "session.update"]
            assert len(updates) == 1  # nothing of ``other`` went to the server
            agent = session.agent.name
            tripped: list[str] = []
            session.on("guardrail.tripped")(lambda e: tripped.append(e.guardrail))
            with anyio.fail_after(10):
                await session.ask("How do I pick a lock?")
            with anyio.move_on_after(5):  # (a check may end after the answer)
                while not tripped:
                    await anyio.sleep(0.01)
    assert (agent, tripped) == ("triage", ["no_break_ins"])
