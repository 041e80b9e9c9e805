"""docs/live.md, after a drop: "the outputs no response answered yet go again (a copy the
server already has is refused, and that is a ``session.warning``)" and "a tool runs once and
its output reaches the session once"; ``live_out.Held`` keeps "our outputs and approval
answers the server is not known to have", relying on the server to refuse "a second copy".

A hosted MCP approval request is approved; the answer (``response.item.create`` of an
``mcp_approval_response``) reaches the GPT-Live session, and the connection drops on the
batch's ``response.create``, before the server read it. On the attached connection the
answer is sent again, and the emulator's Live session takes the copy: the conversation
holds two answers to one request and the backend model is given both. A function call's
output in the same spot is refused ("already has an output"); an approval answer is not,
so the doubling goes unnoticed (no refusal, no warning).

Over a real loopback socket against a real MCP server (streamable HTTP)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, Reconnect, allow
from rtagents.emulator import CallMCP, DropConnection, Emulator, ModelContext, ScriptedModel, audio
from rtagents.mcp import HostedMCP
from rtagents.testing import mcp_server, serve_mcp_http

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


async def test_an_approval_answer_sent_again_after_an_attach_reaches_the_session_once() -> None:
    runs: list[int] = []
    server = mcp_server("bank")

    @server.tool()
    def transfer(amount: int) -> str:
        """Move money."""
        runs.append(amount)
        return f"moved {amount}"

    seen: list[ModelContext] = []

    def answer(ctx: ModelContext) -> str:
        seen.append(ctx)
        return "Moved it."

    model = ScriptedModel([CallMCP("bank", "transfer", {"amount": 100}), answer])
    events: list[Any] = []
    async with serve_mcp_http(server) as url:
        bank = HostedMCP(server_label="bank", server_url=url, require_approval="always")
        agent = rtagents.Agent(
            name="teller", tools=[bank], approval=ApprovalPolicy(rules=[allow(server="bank")])
        )
        async with Emulator(model=model) as emu:
            async with rtagents.connect(
                agent, url=emu.live_url, api="live", reconnect=FAST
            ) as session:
                session.on("*")(events.append)
                emu.last.add_fault(DropConnection(on_client="response.create"))
                await session.send_audio(audio.tone(600).tobytes())
                await session.send_audio(audio.silence(400).tobytes())
                said = ""
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "session.output_transcript.delta":
                            said += event.delta
                        if said == "Moved it.":
                            break
                    else:
                        pytest.fail("the session ended before the answer")
            conversation = list(emu.last.conversation.items)
    assert any(e.type == "session.reconnected" for e in events)
    assert runs == [100]
    answers = [i for i in conversation if i.get("type") == "mcp_approval_response"]
    given = [i for i in seen[-1].items if i.get("type") == "mcp_approval_response"]
    assert (len(answers), len(given)) == (1, 1), (
        f"the Live session holds {len(answers)} answers to one approval request, and the "
        f"model was given {len(given)}"
    )
