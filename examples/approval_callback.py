"""An approval callback: rules decide the clear cases, an async handler asks about the rest.

python examples/approval_callback.py
"""

from __future__ import annotations

import sys

import anyio

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel


@rtagents.tool(needs_approval=True)
def send_payment(to: str, amount: int) -> str:
    """Send a payment."""
    return f"paid {amount} EUR to {to}"


async def ask_finance(request: rtagents.ApprovalRequest) -> rtagents.Decision:
    """Stands in for a slow check (a manager, a fraud service)."""
    await anyio.sleep(0.05)
    ok = request.arguments["amount"] <= 500
    return rtagents.Decision(ok, None if ok else "over the 500 EUR limit", remember="session")


agent = rtagents.Agent(
    name="payments",
    tools=[send_payment],
    approval=rtagents.ApprovalPolicy(
        rules=[
            rtagents.allow(tool="send_payment", when=lambda args: args["amount"] <= 20),
            rtagents.deny(
                tool="send_payment",
                when=lambda args: args["to"] == "unknown",
                reason="unknown payee",
            ),
        ],
        handler=ask_finance,
        timeout=10,
    ),
    output_modalities=["text"],
)


def answer(ctx: ModelContext) -> str:
    output = ctx.pending_outputs[-1]["output"]
    # A denied call's output is the failure told to the model (JSON): say it as a person would.
    return "That payment was not approved." if output.startswith('{"error"') else output


SCRIPT = [
    CallFunction("send_payment", {"to": "ann", "amount": 15}),
    answer,
    CallFunction("send_payment", {"to": "bob", "amount": 300}),
    answer,
    CallFunction("send_payment", {"to": "eve", "amount": 9000}),
    answer,
]


async def main(real: bool = False) -> list[str]:
    lines: list[str] = []
    async with Emulator(model=ScriptedModel(SCRIPT)) as emu:
        async with rtagents.connect(agent, url=None if real else emu.url) as session:
            for text in ("Pay Ann 15", "Pay Bob 300", "Pay Eve 9000"):
                await session.send_text(text)
                async for event in session:
                    if event.type == "approval.decided":
                        verdict = "approved" if event.approve else f"declined ({event.reason})"
                        lines.append(f"{event.request.describe()}: {verdict} by {event.decided_by}")
                    elif event.type == "response.output_text.done":
                        lines.append(f"assistant: {event.text}")
                        break
    return lines


if __name__ == "__main__":
    for line in anyio.run(main, "--real" in sys.argv):
        print(line)
