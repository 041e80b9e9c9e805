"""docs/tracing.md: the ``approval`` span's ``.reason`` is "a handler's or an error's only
with ``trace_content``" (a handler's reason may quote the arguments: content).

A handler approves with ``remember="session"`` and a reason quoting the card number. The
first call's span correctly leaves that reason out (trace_content off). The identical second
call is decided from the session's memory, ``decided_by="remembered"``, with the handler's
own reason carried over; ``tracing/approvals.py`` counts "remembered" among the policy's
own reasons (``_REASONS_NOT_CONTENT``) and records it: the handler's text (and the card
number it quotes) lands in the second span without the opt-in.
"""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import ApprovalPolicy
from rtagents.approvals import Decision
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from tests.tracing.conftest import spans  # noqa: F401  (the SDK fixture)

pytestmark = pytest.mark.anyio
CARD = "4111-1111-1111-1111"


@rtagents.tool(needs_approval=True)
def pay(amount: int, card: str) -> str:
    """Pay an amount with a card."""
    return "paid"


def handler(request: object) -> Decision:
    card = request.arguments["card"]  # type: ignore[attr-defined]
    return Decision(True, f"the customer owns card {card}", remember="session")


async def test_a_remembered_handler_reason_stays_out_of_the_span_without_trace_content(
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    policy = ApprovalPolicy(handler=handler)
    agent = rtagents.Agent(name="shop", tools=[pay], approval=policy, output_modalities=["text"])
    call = {"amount": 5, "card": CARD}
    model = ScriptedModel(
        [CallFunction("pay", call), "done", CallFunction("pay", call), "done again"]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url, trace_content=False) as session:
            with anyio.fail_after(10):
                first = await session.ask("pay")
                second = await session.ask("pay again")
    decided = [e for e in [*first, *second] if e.type == "approval.decided"]
    assert [e.decided_by for e in decided] == ["handler", "remembered"]
    approval = [s for s in spans.get_finished_spans() if s.name == "approval pay"]
    assert len(approval) == 2
    assert CARD not in repr(dict(approval[0].attributes or {}))  # the handler's: left out
    assert CARD not in repr(dict(approval[1].attributes or {})), dict(approval[1].attributes or {})
