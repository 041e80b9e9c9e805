"""Regression review (regress2) of bc3f1ff ("a session's tasks run in the context of its
connect"). An async event handler told from a tool call's own task (the ``handoff`` of a
transfer, the ``approval.decided`` of a call the app approved) ran in that task's context:
the call's ``execute_tool`` span was current, and the app's spans there were its children,
in the session's trace. Now it runs in a copy of the context of ``connect`` (no span,
for an app that opened no span of its own around it): each span the handler makes is the root
of a trace of its own, cut off from the session's (and a parent-based sampler draws for it
alone)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


def _parent_of(spans: InMemorySpanExporter, name: str) -> tuple[Any, Any]:
    finished = spans.get_finished_spans()
    by_id = {s.context.span_id: s for s in finished}
    [session] = [s for s in finished if s.name.startswith("invoke_agent")]
    [mine] = [s for s in finished if s.name == name]
    parent = by_id.get(mine.parent.span_id) if mine.parent is not None else None
    return mine.context.trace_id == session.context.trace_id, parent.name if parent else None


async def test_a_handoff_handlers_span_is_in_the_sessions_trace(
    spans: InMemorySpanExporter,
) -> None:
    helper = rtagents.Agent(name="helper", instructions="Help.", output_modalities=["text"])
    agent = rtagents.Agent(name="desk", handoffs=[helper], output_modalities=["text"])
    model = ScriptedModel([CallFunction("transfer_to_helper", {}, call_id="c1"), "Here."])
    app = trace.get_tracer("app")
    done = anyio.Event()
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport) as session:

            @session.on("handoff")
            async def _(event: Any) -> None:
                with app.start_as_current_span("app.handoff"):
                    pass
                done.set()

            await session.ask("Put me through.")
            with anyio.fail_after(5):
                await done.wait()
    in_trace, parent = _parent_of(spans, "app.handoff")
    assert (in_trace, parent) == (True, "execute_tool transfer_to_helper"), (
        f"the handoff handler's span is outside the session's trace (parent {parent!r})"
    )


async def test_an_approval_decided_handlers_span_is_in_the_sessions_trace(
    spans: InMemorySpanExporter,
) -> None:
    @rtagents.tool(needs_approval=True)
    async def refund(order: str) -> str:
        """Refund an order."""
        return f"refunded {order}"

    agent = rtagents.Agent(
        name="shop", tools=[refund], approval=ApprovalPolicy(), output_modalities=["text"]
    )
    model = ScriptedModel([CallFunction("refund", {"order": "A1"}, call_id="c1"), "Done."])
    app = trace.get_tracer("app")
    done = anyio.Event()
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport) as session:

            @session.on("approval.awaiting")
            async def _(event: Any) -> None:
                await session.approve(event.request.id)

            @session.on("approval.decided")
            async def _(event: Any) -> None:
                with app.start_as_current_span("app.decided"):
                    pass
                done.set()

            await session.ask("Refund A1.")
            with anyio.fail_after(5):
                await done.wait()
    in_trace, parent = _parent_of(spans, "app.decided")
    assert (in_trace, parent) == (True, "execute_tool refund"), (
        f"the approval.decided handler's span is outside the session's trace (parent {parent!r})"
    )
