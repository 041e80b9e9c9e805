"""A ``float`` parameter's schema is ``{"type": "number"}``, which no NaN or infinity meets
(JSON has none), and validation holds to it: the string ``"NaN"`` and the bare tokens ``NaN``
and ``Infinity`` are refused. Before, each reached the tool as ``nan``/``inf``, and a
``needs_approval`` predicate written as tools.md shows (``args["amount"] > limit``) said "no
approval needed" for ``nan``: the tool ran without the yes the app asked for."""

from __future__ import annotations

import math
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest
from rtagents.emulator import CallFunction
from rtagents.testing import run_agent

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


@rtagents.tool
def refund(amount: float) -> str:
    """Refund an amount."""
    return f"refunded {amount}"


@pytest.mark.parametrize("sent", ['{"amount": "NaN"}', '{"amount": NaN}', '{"amount": Infinity}'])
def test_a_number_parameter_refuses_what_its_schema_forbids(sent: str) -> None:
    assert refund.parameters["properties"]["amount"] == {"type": "number"}
    with pytest.raises(ValueError):
        anyio.run(refund.run_json, sent)


charged: list[float] = []


def over_100(ctx: rtagents.ToolContext, args: dict[str, Any]) -> bool:
    return args["amount"] > 100


@rtagents.tool(needs_approval=over_100)
def charge(amount: float) -> str:
    """Charge the card."""
    charged.append(amount)
    return f"charged {amount}"


async def test_nan_does_not_get_past_a_needs_approval_predicate() -> None:
    asked: list[ApprovalRequest] = []

    def never(request: ApprovalRequest) -> bool:  # nobody approves anything
        asked.append(request)
        return False

    agent = rtagents.Agent(
        name="till",
        tools=[charge],
        approval=ApprovalPolicy(handler=never),
        output_modalities=["text"],
    )
    turns = [CallFunction("charge", '{"amount": "NaN"}', call_id="c"), "Done."]
    record = await run_agent(agent, turns, "charge me", socket=True)
    assert not any(math.isnan(a) for a in charged), (
        f"the tool ran with {charged} and nobody was asked; the model read {record.outputs['c']!r}"
    )
