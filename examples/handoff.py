"""A handoff between two agents: triage answers, then hands billing questions to billing.

The handoff is a tool: it calls ``session.update_agent(...)``, which sends the new agent's
instructions and tools in a ``session.update``. The conversation goes on in the same session.

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
    instructions="You handle refunds and invoices.",
    tools=[refund],
    output_modalities=["text"],
)


@rtagents.tool
async def transfer_to_billing(ctx: rtagents.ToolContext, reason: str) -> str:
    """Hand the conversation to the billing agent."""
    await ctx.session.update_agent(billing)
    return f"transferred to billing ({reason})"


triage = rtagents.Agent(
    name="triage",
    instructions="Find out what the user needs; transfer billing questions.",
    tools=[transfer_to_billing],
    output_modalities=["text"],
)


def answer(ctx: ModelContext) -> str:
    text = ctx.pending_outputs[-1]["output"]
    return text[:1].upper() + text[1:] + "."


SCRIPT = [
    CallFunction("transfer_to_billing", {"reason": "refund request"}),
    answer,
    CallFunction("refund", {"order_id": "A-1001"}),
    answer,
]


async def main(real: bool = False) -> list[str]:
    lines: list[str] = []
    async with Emulator(model=ScriptedModel(SCRIPT)) as emu:
        async with rtagents.connect(triage, url=None if real else emu.url) as session:
            for text in ("I want a refund", "Order A-1001 please"):
                lines.append(f"user: {text}")
                await session.send_text(text)
                async for event in session:
                    if event.type == "tool.call.completed":
                        lines.append(f"[{session.agent.name}] {event.name} -> {event.output}")
                    elif event.type == "response.output_text.done":
                        lines.append(f"assistant ({session.agent.name}): {event.text}")
                        break
            if not real:
                lines.append(f"tools offered now: {[t['name'] for t in emu.last.session['tools']]}")
    return lines


if __name__ == "__main__":
    for line in anyio.run(main, "--real" in sys.argv):
        print(line)
