"""A decisions delegation's span ends when its decision comes (``decision.event``, naming the
delegation), as a client delegation's ends at its answer: not only with the session."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, Say, ScriptedModel
from tests.session.live.harness import speak, until
from tests.tracing.conftest import spans  # noqa: F401  (the fixture)

pytestmark = pytest.mark.anyio
ROUTE = {
    "type": "choice",
    "name": "route",
    "instructions": "Which team should handle this?",
    "choices": [{"value": "billing"}, {"value": "refunds"}],
}


async def test_a_decisions_delegation_span_ends_with_its_decision(
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    live = rtagents.LiveOptions(
        delegation="decisions", decisions={"model": "gpt-5.4-mini", "questions": [ROUTE]}
    )
    agent = rtagents.Agent(instructions="Route the caller.", live=live)
    model = ScriptedModel([[Say("One moment."), CallFunction("route_call", {})]])
    async with Emulator(model=model, transcribe=lambda data, ms: "I want refunds") as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(session, lambda seen: seen[-1].type == "decision.event")
            await anyio.sleep(0.1)
            ended_while_open = [s for s in spans.get_finished_spans() if s.name == "delegation"]
    [decided] = [e for e in events if e.type == "decision.event"]
    assert decided.delegation_id
    assert [s.attributes["rtagents.delegation.id"] for s in ended_while_open] == [
        decided.delegation_id
    ], "the delegation span is still open after its decision"
