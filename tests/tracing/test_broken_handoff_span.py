"""A span processor that raises on the ``handoff`` span (a vendor's, with a bug) must cost that
span only. Today the transfer's ``handoff`` span is started and ended unguarded
(session/handoff.py), so the raise fails the transfer call: on start the handoff never
happens, on end it happens but its call reports a failure and no ``handoff`` event comes."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "broken", [("start", "handoff"), ("end", "handoff")], indirect=True, ids=["start", "end"]
)
async def test_a_raising_processor_on_the_handoff_span_costs_the_transfer_nothing(
    broken: InMemorySpanExporter,
) -> None:
    billing = rtagents.Agent(name="billing", output_modalities=["text"])
    triage = rtagents.Agent(name="triage", handoffs=[billing], output_modalities=["text"])
    turns = [CallFunction("transfer_to_billing", call_id="h1"), "Billing here."]
    async with Emulator(model=ScriptedModel(turns, then="ok")) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            with anyio.fail_after(10):
                events = await session.ask("I want a refund.")
            agent_now = session.agent.name
    kinds = [e.type for e in events]
    assert "tool.call.failed" not in kinds, [
        (e.kind, e.message) for e in events if e.type == "tool.call.failed"
    ]
    assert "handoff" in kinds
    assert agent_now == "billing"
    # The session's own spans are untouched.
    names = [s.name for s in broken.get_finished_spans()]
    assert "invoke_agent triage" in names
