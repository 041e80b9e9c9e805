"""A handoff's span, recorded with the OpenTelemetry SDK's in-memory exporter: one ``handoff``
span each time, in the session's trace, under the transfer call's ``execute_tool`` span."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

from ..tracing.conftest import spans  # noqa: F401 (the fixture)

pytestmark = pytest.mark.anyio


async def test_each_handoff_has_a_span_in_the_session_trace(
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    billing = rtagents.Agent(
        name="billing", handoffs=[lambda: triage], output_modalities=["text"], max_handoffs=1
    )
    triage = rtagents.Agent(
        name="triage", handoffs=[billing], output_modalities=["text"], max_handoffs=1
    )
    model = ScriptedModel(
        [
            CallFunction("transfer_to_billing", call_id="h1"),
            "Billing here.",
            CallFunction("transfer_to_triage", call_id="h2"),
            CallFunction("transfer_to_billing", call_id="h3"),
            "Still triage.",
        ]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            for text in ("refund please", "back to triage"):
                await session.send_text(text)
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "response.output_text.done":
                            break
                    else:
                        pytest.fail("the session ended before the answer")
    finished = spans.get_finished_spans()
    [root] = [s for s in finished if s.name == "invoke_agent triage"]
    handoffs = [s for s in finished if s.name == "handoff"]
    tools = {s.attributes["gen_ai.tool.call.id"]: s for s in finished if s.name.startswith("exe")}
    assert [
        (s.attributes["rtagents.handoff.from"], s.attributes["rtagents.handoff.to"])
        for s in handoffs
    ] == [("triage", "billing"), ("billing", "triage"), ("triage", "billing")]
    for span, call_id in zip(handoffs, ["h1", "h2", "h3"], strict=True):
        assert span.context.trace_id == root.context.trace_id
        assert span.parent is not None and span.parent.span_id == tools[call_id].context.span_id
        assert span.attributes["gen_ai.tool.call.id"] == call_id
    # The third is the second since the user spoke, past triage's bound: refused.
    assert [s.status.status_code for s in handoffs] == [
        StatusCode.UNSET,
        StatusCode.UNSET,
        StatusCode.ERROR,
    ]
    assert handoffs[2].attributes["rtagents.handoff.refused"] is True
