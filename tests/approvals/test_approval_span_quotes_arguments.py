"""docs/tracing.md: tool arguments are content, recorded in spans only when the app opts in
(``trace_content``); "A failed call's message and exception often quote what the tool was
given ..., so they are content too: without the opt-in, its span's error status says the
kind of failure". The brief's rule: denied arguments never leak into spans.

The ``approval {tool}`` span records ``rtagents.approval.reason`` whatever the opt-in, and
for a deny by ``error`` that reason is the text of what raised (a ``when`` predicate, a
handler, ``needs_approval``), which quotes the argument it choked on: here a card number
the model sent lands in the span of a session with content capture off (the call's own
``execute_tool`` span correctly keeps it out).
"""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from tests.tracing.conftest import spans  # noqa: F401  (the SDK fixture)

pytestmark = pytest.mark.anyio
CARD = "4111-1111-1111-1111"


@rtagents.tool(needs_approval=True)
def pay(amount: str, card: str) -> str:
    """Pay an amount with a card."""
    return "paid"


async def test_a_denied_calls_arguments_stay_out_of_the_approval_span(
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    policy = ApprovalPolicy(rules=[allow(tool="pay", when=lambda a: int(a["amount"]) < 10)])
    agent = rtagents.Agent(name="shop", tools=[pay], approval=policy, output_modalities=["text"])
    # The model swapped the fields: the amount holds the card number.
    model = ScriptedModel([CallFunction("pay", {"amount": CARD, "card": "5"}), "sorry"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url, trace_content=False) as session:
            with anyio.fail_after(10):
                events = await session.ask("pay")
    [decided] = [e for e in events if e.type == "approval.decided"]
    assert (decided.approve, decided.decided_by) == (False, "error")
    tool = [s for s in spans.get_finished_spans() if s.name == "execute_tool pay"]
    assert tool and CARD not in repr(dict(tool[0].attributes or {}))  # (kept out: right)
    [span] = [s for s in spans.get_finished_spans() if s.name == "approval pay"]
    recorded = repr(
        (
            dict(span.attributes or {}),
            span.status.description,
            [(e.name, dict(e.attributes or {})) for e in span.events],
        )
    )
    assert CARD not in recorded, recorded
