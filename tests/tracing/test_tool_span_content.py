"""With content capture off (the default), an ``execute_tool`` span still records a tool
call's argument values: a call whose arguments fail validation gets the validation message,
which quotes the value (pydantic's ``(got '...')``), as its status description.

Right behaviour (docs/tracing.md: "Tool arguments and results are recorded only when you
opt in, because they may hold personal data"): without ``trace_content``, the span's status
and attributes say what kind of failure it was (``invalid_arguments``) but never an
argument's value; the full message stays in the app's ``tool.call.failed`` event.
"""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
PIN = "pin-secret-4455"


@rtagents.tool
def unlock(account: str, pin: int) -> str:
    """Unlock an account."""
    return "unlocked"


async def test_argument_values_stay_out_of_spans_unless_asked(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="bank", tools=[unlock], output_modalities=["text"])
    model = ScriptedModel([CallFunction("unlock", {"account": "a1", "pin": PIN}), "sorry"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url, trace_content=False) as session:
            with anyio.fail_after(10):
                events = await session.ask("unlock a1")
    assert any(e.type == "tool.call.failed" for e in events)
    [span] = [s for s in spans.get_finished_spans() if s.name == "execute_tool unlock"]
    recorded = repr(
        (
            dict(span.attributes or {}),
            span.status.description,
            [(e.name, dict(e.attributes or {})) for e in span.events],
        )
    )
    assert PIN not in recorded, recorded
