"""A span processor that raises (a vendor's, with a bug) should cost its spans only, not the
session's metrics. The session's one tracing hook (``LazyParts._trace``, the runner's) calls the
tracer, then the metrics: when the tracer raises on an event, the metrics never see it. Here
the ``approval`` span fails to start, and the approval is never counted
(``rtagents.approval.wait``, ``rtagents.approvals.pending``)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

from ..tracing.test_metrics import points, reader  # noqa: F401  (the fixture)

pytestmark = pytest.mark.anyio


@rtagents.tool(needs_approval=True)
def refund(amount: int) -> str:
    """Refund money."""
    return "refunded"


def waits(found: dict[str, list[Any]]) -> int:
    return sum(
        p.count
        for p in found.get("rtagents.approval.wait", [])
        if p.attributes["kind"] == "function" and p.attributes["outcome"] == "approved"
    )


def requested(events: list[Any]) -> int:
    return sum(e.type == "approval.requested" for e in events)


@pytest.mark.parametrize("broken", [("start", "approval")], indirect=True, ids=["start"])
async def test_a_raising_span_processor_costs_no_metric(
    reader: InMemoryMetricReader,  # noqa: F811
    broken: InMemorySpanExporter,
) -> None:
    before = waits(points(reader))
    agent = rtagents.Agent(
        name="refunds",
        tools=[refund],
        approval=ApprovalPolicy(handler=lambda request: True),
        output_modalities=["text"],
    )
    script = ScriptedModel([CallFunction("refund", {"amount": 5}), "Refunded."])
    async with Emulator(model=script) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(10):
                events = await session.ask("Refund me.")
    assert requested(events) == 1 and "tool.call.completed" in [e.type for e in events]
    assert waits(points(reader)) == before + 1
