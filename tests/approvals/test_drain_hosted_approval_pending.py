"""``session.drain()``: "the tool calls in flight and background work finish (for at most
``grace`` seconds) and their outputs are sent; then it closes". docs/failures.md counts a
hosted approval request's answer among what a session owes ("the calls that finished (a
background call's result, a hosted approval request's answer too)").

A local MCP call waiting for approval is waited for by a drain: its handler answers, the
call runs and its output is sent. A hosted MCP ``mcp_approval_request`` waiting for the same
handler is not: ``drain`` looks only at ``dispatcher.running`` (the hosted request is decided
in a session task of its own, ``Dispatcher.hosted_approval``), so it closes at once and the
request is denied with ``decided_by="close"``, although the handler says yes well within the
grace. The yes is lost, the hosted tool never runs, and the model is never answered.

On both APIs, over a real loopback socket, against a real MCP server (streamable HTTP)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest
from rtagents.emulator import CallFunction, CallMCP, Emulator, ScriptedModel
from rtagents.mcp import HostedMCP, MCPServerHTTP
from rtagents.testing import mcp_server, serve_mcp_http
from tests.session.live.harness import speak

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def _human(request: ApprovalRequest) -> bool:
    await anyio.sleep(0.2)  # a person answering (the drain's grace is 5 s)
    return True


async def _drained(kind: str, api: str) -> tuple[list[Any], list[dict[str, Any]]]:
    server = mcp_server("bank")

    @server.tool()
    def charge(amount: int) -> str:
        """Charge the card."""
        return f"charged {amount}"

    async with serve_mcp_http(server) as url:
        if kind == "hosted":
            tools: list[Any] = [HostedMCP("bank", url, require_approval="always")]
            turn: Any = CallMCP("bank", "charge", {"amount": 2})
        else:
            tools = [MCPServerHTTP(url, name="bank")]
            turn = CallFunction("charge", {"amount": 2}, call_id="c1")
        agent = rtagents.Agent(name="a", tools=tools, approval=ApprovalPolicy(handler=_human))
        seen: list[Any] = []
        async with Emulator(model=ScriptedModel([turn, "ok."])) as emu:
            url = emu.live_url if api == "live" else emu.url
            async with rtagents.connect(agent, url=url, api=api) as session:
                if api == "live":
                    await speak(session)
                else:
                    await session.send_text("Charge two.")
                with anyio.fail_after(15):
                    async for event in session:
                        seen.append(event)
                        if event.type == "approval.requested":
                            await session.drain(grace=5)
                        if event.type == "session.closed":
                            break
                    else:
                        pytest.fail("the session ended without session.closed")
            conversation = list(emu.last.conversation.items)
    return seen, conversation


@pytest.mark.parametrize("api", ["live", "realtime"])
@pytest.mark.parametrize("kind", ["local", "hosted"])
async def test_drain_waits_for_a_pending_approval_as_for_a_call(kind: str, api: str) -> None:
    seen, conversation = await _drained(kind, api)
    decided = [(e.approve, e.decided_by) for e in seen if e.type == "approval.decided"]
    # Observed for hosted: [(False, 'close')]: the drain closed the session under the
    # pending request instead of waiting for the handler's yes.
    assert decided == [(True, "handler")], decided
    # The answer reached the server before the close (the model's reply to it is owed).
    answer = "mcp_approval_response" if kind == "hosted" else "function_call_output"
    assert [i.get("type") for i in conversation].count(answer) == 1, conversation
