"""A hosted MCP approval request of a delegated response; the connection drops before the
app's policy answers (its handler takes a moment); the answer (approve) goes to the connection
that attached to the same Live session, then the batch's ``response.create``.

docs/live.md: after a drop the Live session attaches to the same session and "what the server
had stays"; hosted MCP approval requests "go to the same policy". The emulator's
``LiveCore.resume`` gives the attached connection a fresh ``HostedMCP`` (no servers, no
pending approvals), so the approved call is never run: the backend answers from nothing.
Without the drop the same script answers "hello from MCP".

Real parts: the emulator over loopback, a real HTTP MCP server, ``rtagents.connect``."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, Reconnect
from rtagents.emulator import CallMCP, DropConnection, Emulator, ModelContext, ScriptedModel, audio
from rtagents.mcp import HostedMCP
from tests.mcp.servers import http_notes_server

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


def answer(ctx: ModelContext) -> str:
    parts = []
    for item in ctx.pending_outputs:
        if item["type"] == "mcp_call":
            parts.append(item["output"] or "an error")
        elif item["type"] == "mcp_approval_response" and not item["approve"]:
            parts.append("declined")
    return "Got: " + (" | ".join(parts) or "nothing") + "."


async def converse(drop: bool) -> tuple[str, list[Any]]:
    async def handler(request: rtagents.ApprovalRequest) -> bool:
        await anyio.sleep(0.3)  # the drop comes while the app decides
        return True

    async with http_notes_server() as url:
        notes = HostedMCP(server_label="notes", server_url=url, require_approval="always")
        agent = rtagents.Agent(tools=[notes], approval=ApprovalPolicy(handler=handler))
        model = ScriptedModel([CallMCP("notes", "lookup", {"key": "greeting"}), answer])
        said = ""
        async with Emulator(model=model) as emu:
            async with rtagents.connect(
                agent, url=emu.live_url, api="live", reconnect=FAST
            ) as session:
                if drop:  # once the response asking for approval is over
                    emu.last.add_fault(DropConnection(after="response.completed"))
                await anyio.sleep(0.5)  # the hosted server's tools are listed
                await session.send_audio(audio.tone(600).tobytes())
                await session.send_audio(audio.silence(400).tobytes())
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "transcript.delta" and event.role == "assistant":
                            said += event.delta
                            if said.rstrip().endswith("."):
                                break
                    else:
                        pytest.fail("the session ended before the answer")
            connections = list(emu.connections)
    return said, connections


async def test_without_a_drop_the_approved_hosted_call_runs() -> None:
    said, connections = await converse(drop=False)
    assert len(connections) == 1
    assert said == "Got: hello from MCP."


async def test_an_approval_answered_after_a_drop_runs_the_hosted_call() -> None:
    said, connections = await converse(drop=True)
    assert len(connections) == 2, "the drop did not happen"
    answers = [
        f["item"]
        for f in connections[-1].received
        if f["type"] == "response.item.create" and f["item"]["type"] == "mcp_approval_response"
    ]
    assert [a["approve"] for a in answers] == [True]  # the client did its part
    assert said == "Got: hello from MCP.", f"the approved hosted call never ran: {said!r}"
