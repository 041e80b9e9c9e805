"""`Agent(guardrails=[check])`: a list of checks instead of a `Guardrails`.

docs/guardrails.md: guardrails "follow [the approval policy's] rule: only an explicit,
well-typed 'pass' passes". `Agent(approval=<not a policy>)` is refused when the agent is made
("approval takes an ApprovalPolicy"), but `guardrails=` takes anything: a plain list of checks
is accepted, every event then fails inside the session (`'list' object has no attribute
'every_chars'`, logged only), and the answer the guardrail should have stopped is spoken in
full. The guardrails fail open.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Trip
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


def no_break_ins(text: str) -> GuardrailResult:
    return Trip("asks how to break in") if "pick a lock" in text else PASS


def test_a_list_of_checks_is_refused_when_the_agent_is_made() -> None:
    with pytest.raises(TypeError, match="guardrails"):
        rtagents.Agent(name="shop", guardrails=[no_break_ins])  # type: ignore[arg-type]


async def test_a_list_of_checks_never_lets_the_stopped_answer_complete() -> None:
    try:
        agent = rtagents.Agent(
            name="shop",
            guardrails=[no_break_ins],  # type: ignore[arg-type]
            output_modalities=["text"],
        )
    except TypeError:
        return  # refused up front: fine
    model = ScriptedModel(["First you take a tension wrench..."])
    with anyio.fail_after(20):
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                await session.send_text("How do I pick a lock?")
                async for event in session:
                    if event.type == "response.done":
                        status = event.response.status
                        break
                else:
                    pytest.fail("the session ended before the response did")
    assert status == "cancelled"  # observed: "completed" (the input guardrail never ran)
