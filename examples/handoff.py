"""Handoffs declared on the agents: triage hands billing questions to billing, and billing
hands the caller back to triage when it is done.

Each agent in ``handoffs`` becomes a transfer tool (``transfer_to_billing``,
``transfer_to_triage``). Calling one hands the session to that agent with one
``session.update`` (its instructions and tools); the conversation goes on in the same
session, and a ``handoff`` event says who took over. Billing names triage with a callable,
since triage does not exist yet when billing is made.

    python examples/handoff.py
"""

from __future__ import annotations

import sys

import anyio

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel


@rtagents.tool
def refund(order_id: str) -> str:
    """Refund an order."""
    return f"order {order_id} refunded"


billing = rtagents.Agent(
    name="billing",
    instructions="You handle refunds and invoices. Hand anything else back to triage.",
    handoff_description="Refunds and invoices.",
    tools=[refund],
    handoffs=[lambda: triage],
    output_modalities=["text"],
)

triage = rtagents.Agent(
    name="triage",
    instructions="Find out what the user needs; transfer billing questions.",
    handoffs=[billing],
    output_modalities=["text"],
)


def answer(ctx: ModelContext) -> str:
    text = ctx.pending_outputs[-1]["output"]
    return text[:1].upper() + text[1:].rstrip(".") + "."


SCRIPT = [
    CallFunction("transfer_to_billing"),
    "Billing here: which order?",
    CallFunction("refund", {"order_id": "A-1001"}),
    answer,
    CallFunction("transfer_to_triage"),
    "Triage again: anything else?",
]


async def main(real: bool = False) -> list[str]:
    lines: list[str] = []
    async with Emulator(model=ScriptedModel(SCRIPT)) as emu:
        async with rtagents.connect(triage, url=None if real else emu.url) as session:
            for text in ("I want a refund", "Order A-1001 please", "That's all for billing"):
                lines.append(f"user: {text}")
                await session.send_text(text)
                async for event in session:
                    if event.type == "handoff":
                        lines.append(f"[handoff] {event.from_agent} -> {event.to_agent}")
                    elif event.type == "tool.call.completed" and event.name == "refund":
                        lines.append(f"[{session.agent.name}] {event.name} -> {event.output}")
                    elif event.type == "response.output_text.done":
                        lines.append(f"assistant ({session.agent.name}): {event.text}")
                        break
                if not real:
                    tools = [t["name"] for t in emu.last.session["tools"]]
                    lines.append(f"tools offered now: {tools}")
    return lines


if __name__ == "__main__":
    for line in anyio.run(main, "--real" in sys.argv):
        print(line)
