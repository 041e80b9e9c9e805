"""A browser's page is a client of its call's session: the API takes its answer to an
approval request as it takes the sideband's. docs/browser.md: "So that a page can never
approve what the agent's approval policy holds back", no secret is minted for an agent with
a hosted MCP server that asks for approval, or that hands off to one. The same holds for the
agents the call switches to later: one a tool hands the call to (``update_agent``), and one
a handoff's function makes at the transfer (which may not be what it made at the mint). Each
is refused: the call stays with the agent it had, and the page has nothing to approve.

Real parts: a CallServer under uvicorn, the emulator as the API, an aiortc page over
WebRTC, a real MCP server over HTTP that the emulator calls."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, ToolContext
from rtagents.approvals.rules import ask
from rtagents.emulator import CallFunction, CallMCP, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.testing import serve_mcp_http
from tests.calls.browser_call import browser_app, page_call
from tests.calls.test_browser_page_approves_hosted_mcp import pay_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def _shop(url: str) -> rtagents.Agent:
    return rtagents.Agent(
        name="shop",
        tools=[HostedMCP("pay", url, require_approval="always")],
        approval=ApprovalPolicy(rules=[ask(server="pay")], timeout=20),  # a supervisor's yes
        output_modalities=["text"],
    )


def _is_approval_request(event: dict[str, Any]) -> bool:
    item = event.get("item") or {}
    return event["type"] == "conversation.item.added" and item.get("type") == "mcp_approval_request"


async def _page_approves(browser: Any, charges: list[int]) -> list[dict[str, Any]]:
    """The page answers yes to every approval request it sees, for a few seconds."""
    requests: list[dict[str, Any]] = []
    with anyio.move_on_after(6):
        while True:
            event = (await browser.until(_is_approval_request, timeout=30))[-1]
            requests.append(event["item"])
            answer = {
                "type": "mcp_approval_response",
                "id": "mcpa_page_" + event["item"]["id"][-8:],
                "approval_request_id": event["item"]["id"],
                "approve": True,
            }
            browser.send({"type": "conversation.item.create", "item": answer})
            browser.send({"type": "response.create"})  # (the API goes on when asked)
    return requests


async def _call(agent: rtagents.Agent, model: Any, charges: list[int]) -> list[dict[str, Any]]:
    async with browser_app(model=model, agent=agent) as (emu, app, http):
        async with page_call(emu, http) as (browser, call_id, secret):
            body = {"call_id": call_id, "client_secret": secret}
            attached = await http.post("/session/attach", json=body)
            assert attached.json() == {"status": "attached"}, attached.text
            said = {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "Pay, please."}],
            }
            browser.send({"type": "conversation.item.create", "item": said})
            browser.send({"type": "response.create"})
            return await _page_approves(browser, charges)


async def test_a_tool_that_hands_the_call_to_a_hosted_approval_agent_is_refused() -> None:
    charges: list[int] = []
    async with serve_mcp_http(pay_server(charges)) as url:
        shop = _shop(url)

        @rtagents.tool
        async def escalate(ctx: ToolContext) -> str:
            """Hand the caller to the shop."""
            assert ctx.session is not None
            await ctx.session.update_agent(shop)
            return "you are with the shop"

        desk = rtagents.Agent(name="desk", tools=[escalate], output_modalities=["text"])
        model = ScriptedModel(
            [CallFunction("escalate", {}), CallMCP("pay", "charge", {"amount": 500}), "Ok."]
        )
        requests = await _call(desk, model, charges)
    assert charges == [], (
        f"the page approved a hosted charge the policy held for a supervisor ({requests})"
    )
    assert requests == []  # the shop was never taken: its server was never the session's


async def test_a_handoff_function_that_makes_another_agent_at_the_transfer_is_refused() -> None:
    charges: list[int] = []
    async with serve_mcp_http(pay_server(charges)) as url:
        made: list[str] = []

        def target() -> rtagents.Agent:
            # At the mint: a harmless agent; at the transfer: the shop.
            made.append("x")
            if len(made) == 1:
                return rtagents.Agent(name="shop", output_modalities=["text"])
            return _shop(url)

        desk = rtagents.Agent(
            name="desk",
            handoffs=[rtagents.handoff(target, tool_name="transfer_to_shop")],
            output_modalities=["text"],
        )
        model = ScriptedModel(
            [
                CallFunction("transfer_to_shop", {}),
                CallMCP("pay", "charge", {"amount": 500}),
                "Ok.",
            ]
        )
        requests = await _call(desk, model, charges)
    assert charges == [], (
        f"the page approved a hosted charge the policy held for a supervisor ({requests})"
    )
    assert requests == []  # the shop was never taken: its server was never the session's
