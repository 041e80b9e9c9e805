"""A browser's call: approvals are the server's (docs/browser.md: the sideband "runs the
agent's tools and approvals"; docs/approvals.md: only the policy, or an outside answer the
policy asked for, approves). But the minted session carries the agent's hosted MCP servers,
and the page's own data channel is a full client of the call's session: it can answer the
model's ``mcp_approval_request`` itself with ``approve: true``. The API then runs the
hosted tool (a charge) while the app's policy is still waiting for a supervisor, who never
said yes.

Real parts: a CallServer under uvicorn, the emulator as the API, an aiortc page over WebRTC,
a real MCP server over HTTP that the emulator calls.

The library cannot stop a client of the session from answering: it fails closed. No client
secret is minted for an agent (or an agent it hands off to) with a hosted MCP server that asks
for approval; one whose hosted servers never ask is minted as ever."""

from __future__ import annotations

from typing import Any

import pytest
from mcp_types import ToolAnnotations

import rtagents
from rtagents import ApprovalPolicy
from rtagents.approvals.rules import ask
from rtagents.emulator import CallMCP, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.testing import mcp_server, serve_mcp_http
from tests.calls.browser_call import browser_app

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def pay_server(charges: list[int]) -> Any:
    """A real MCP server whose one tool, ``charge``, appends each amount to ``charges``."""
    server = mcp_server("pay")

    @server.tool(annotations=ToolAnnotations(read_only_hint=False))
    def charge(amount: int) -> str:
        """Charge the customer's card."""
        charges.append(amount)
        return f"charged {amount}"

    return server


def _shop(require_approval: str, *, handing_off: bool = False) -> rtagents.Agent:
    hosted = HostedMCP("pay", "https://pay.example.com/mcp", require_approval=require_approval)
    held = rtagents.Agent(
        name="shop",
        tools=[hosted],
        # Every charge waits for a supervisor (app.approve), where one is asked for.
        approval=ApprovalPolicy(rules=[ask(server="pay")] if require_approval != "never" else []),
        output_modalities=["text"],
    )
    if not handing_off:
        return held
    return rtagents.Agent(name="desk", handoffs=[rtagents.handoff(held)])


@pytest.mark.parametrize("handing_off", [False, True], ids=["its own", "a handoff's"])
async def test_no_secret_for_a_page_that_could_approve_a_hosted_call(handing_off: bool) -> None:
    agent = _shop("always", handing_off=handing_off)
    async with browser_app(model=ScriptedModel([]), agent=agent) as (emu, app, http):
        minted = await http.post("/session")
    assert minted.status_code == 400, minted.text
    assert "'pay'" in minted.json()["error"] and "approval" in minted.json()["error"]


async def test_a_page_whose_hosted_servers_never_ask_gets_its_secret() -> None:
    async with browser_app(model=ScriptedModel([]), agent=_shop("never")) as (emu, app, http):
        minted = await http.post("/session")
    assert minted.status_code == 200, minted.text
    assert emu.client_secrets.valid(minted.json()["client_secret"])


async def test_the_page_cannot_approve_a_hosted_call_the_policy_holds() -> None:
    """The attack itself, end to end: refused at the mint, it never starts."""
    charges: list[int] = []
    async with serve_mcp_http(pay_server(charges)) as url:
        agent = rtagents.Agent(
            name="shop",
            tools=[HostedMCP("pay", url, require_approval="always")],
            approval=ApprovalPolicy(rules=[ask(server="pay")]),
            output_modalities=["text"],
        )
        model = ScriptedModel([CallMCP("pay", "charge", {"amount": 500}), "Done.", "Ok."])
        async with browser_app(model=model, agent=agent) as (emu, app, http):
            minted = await http.post("/session")
            assert minted.status_code == 400, minted.text
    assert charges == []
