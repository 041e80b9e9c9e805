"""``POST /session`` refuses an agent "that hands off to one with" a hosted MCP server that
asks for approval (docs/browser.md): a page is a client of the call's session and could
answer the approval request itself, over the policy. ``page_refusal`` follows only
handoff targets that are ``Agent`` objects: a handoff to a function that makes the agent
(``HandoffTarget`` allows ``Callable[[], Agent]``, on its own or in ``rtagents.handoff``)
is skipped, and the secret is minted (fail open)."""

from __future__ import annotations

import pytest

import rtagents
from rtagents import ApprovalPolicy
from rtagents.approvals.rules import ask
from rtagents.emulator import ScriptedModel
from rtagents.mcp import HostedMCP
from tests.calls.browser_call import browser_app

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def _shop() -> rtagents.Agent:
    return rtagents.Agent(
        name="shop",
        tools=[HostedMCP("pay", "https://pay.example.com/mcp", require_approval="always")],
        approval=ApprovalPolicy(rules=[ask(server="pay")]),
        output_modalities=["text"],
    )


@pytest.mark.parametrize("wrapped", [False, True], ids=["bare function", "rtagents.handoff"])
async def test_no_secret_when_a_handoff_function_makes_a_hosted_approval_agent(
    wrapped: bool,
) -> None:
    target = rtagents.handoff(_shop, tool_name="transfer_to_shop") if wrapped else _shop
    desk = rtagents.Agent(name="desk", handoffs=[target])
    async with browser_app(model=ScriptedModel([]), agent=desk) as (emu, app, http):
        minted = await http.post("/session")
    assert minted.status_code == 400, (
        f"a client secret was minted ({minted.status_code}) for an agent that hands off to "
        "one whose hosted MCP server asks for approval: the page could approve its calls"
    )
