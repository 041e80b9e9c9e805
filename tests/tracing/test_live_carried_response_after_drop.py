"""GPT-Live: a backend response the attached connection carries on past a drop keeps its
delegation's span tree.

tracing.md: ``responses_inference`` is a child of "its delegation"; "A delegation's span
ends when its last backend response ends: a response that called tools is continued by the
one their outputs ask for". When the connection drops after a backend response began and
before it announced its function call (``response.output_item.added``), the attached
connection carries the response on: its call runs, and the answer from its output is a
second response of the same delegation. But the tracer forgot which response was under way
at the drop (``LiveSpans.dropped`` clears ``_current``), so the call's announcement is
ignored: the delegation span ends with the first response, and the answer's
``responses_inference`` span is made a child of the session, outside its delegation."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak, spoken, until

pytestmark = pytest.mark.anyio


@rtagents.tool
async def charge(amount: int) -> str:
    """Charge the card."""
    return f"charged {amount}"


def echo(ctx: ModelContext) -> str:
    return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_the_answer_to_a_carried_on_call_stays_under_its_delegation(
    spans: InMemorySpanExporter,
) -> None:
    model = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="c1"), echo], then="ok")
    agent = rtagents.Agent(name="live", tools=[charge])
    fast = rtagents.Reconnect(backoff=0.01, max_backoff=0.05)
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=fast) as session:
            emu.last.add_fault(DropConnection(after="response.created", loses_work=False))
            await speak(session)
            events = await until(session, lambda seen: "charged 5" in spoken(seen))
            assert "session.reconnected" in [e.type for e in events]
            with anyio.fail_after(5):
                while (
                    len([s for s in spans.get_finished_spans() if s.name.startswith("responses_")])
                    < 2
                ):
                    await anyio.sleep(0.02)  # the answer's span ends as it is said
            before_the_end = list(spans.get_finished_spans())
    [delegation] = [s for s in before_the_end if s.name == "delegation"]
    backend = [s for s in before_the_end if s.name.startswith("responses_inference")]
    assert len(backend) == 2  # the call's turn, then the answer from its output
    parents = [b.parent.span_id if b.parent else None for b in backend]
    names = {s.context.span_id: s.name for s in spans.get_finished_spans()}
    assert parents == [delegation.context.span_id] * 2, [names.get(p, p) for p in parents]
    assert delegation.end_time >= max(b.end_time for b in backend)
