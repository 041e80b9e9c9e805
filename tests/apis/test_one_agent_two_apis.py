"""One agent, unchanged, on both of OpenAI's voice APIs: the same test body runs against the
emulator's Realtime endpoint and its GPT-Live endpoint, over real sockets, with a real local
MCP server. Only the API (and so the emulator's URL) differs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel, audio
from rtagents.mcp import MCPServerStdio
from tests.mcp.servers import NOTES_SERVER

pytestmark = pytest.mark.anyio


@rtagents.tool
async def weather(city: str) -> str:
    """The weather in a city."""
    return f"21 degrees in {city}"


@rtagents.tool(needs_approval=True)
def refund(order: int) -> str:
    """Refund an order."""
    return f"refunded {order}"


def answer_from_outputs(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def until(session: Any, done: Callable[[list[Any]], bool], within: float = 15) -> list[Any]:
    seen: list[Any] = []
    with anyio.move_on_after(within):
        async for event in session:
            seen.append(event)
            if done(seen):
                return seen
        pytest.fail(f"the session ended first: {[e.type for e in seen][-10:]}")
    kinds = [e.type for e in seen if not e.type.endswith("audio.delta")]
    pytest.fail(f"not done in {within} s: said {said(seen)!r}, {outputs(seen)}, {kinds[-25:]}")


def outputs(events: list[Any]) -> dict[str, str]:
    """What the model was sent for each call, by tool name."""
    kinds = ("tool.call.completed", "tool.call.failed")
    return {e.name: e.output for e in events if e.type in kinds}


def answered(events: list[Any]) -> bool:
    """The model has said all of its answer: every output, in the order they reached it
    (the denied call's waits for the approval handler, so it may come last)."""
    sent = outputs(events)
    return len(sent) == 3 and sorted(said(events).split(" | ")) == sorted(sent.values())


def said(events: list[Any]) -> str:
    return "".join(
        e.delta for e in events if e.type == "transcript.delta" and e.role == "assistant"
    )


@pytest.mark.parametrize("api", ["realtime", "live"])
async def test_one_agent_runs_unchanged_on_both_apis(api: str) -> None:
    asked: list[str] = []

    def no_refunds(request: rtagents.ApprovalRequest) -> bool:
        asked.append(request.tool_name)
        return False

    notes = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes")
    agent = rtagents.Agent(
        instructions="Help with orders.",
        tools=[weather, refund, notes],
        approval=ApprovalPolicy(rules=[allow(read_only=True)], handler=no_refunds),
    )
    batch = [
        CallFunction("weather", {"city": "Paris"}),
        CallFunction("refund", {"order": 7}),
        CallFunction("lookup", {"key": "wifi"}),
    ]
    model = ScriptedModel([batch, answer_from_outputs])
    async with Emulator(model=model) as emu, notes:
        url = emu.live_url if api == "live" else emu.url
        async with rtagents.connect(agent, url=url, api=api) as session:  # type: ignore[arg-type]
            await session.send_audio(audio.tone(600).tobytes())  # the user speaks, then stops
            await session.send_audio(audio.silence(400).tobytes())
            events = await until(session, answered)
            sent = [frame["type"] for frame in emu.last.received]
    kinds = [e.type for e in events]
    completed = {e.name: e.output for e in events if e.type == "tool.call.completed"}
    failed = {e.name: e.kind for e in events if e.type == "tool.call.failed"}
    assert completed.keys() == {"weather", "lookup"} and failed == {"refund": "denied"}
    assert asked == ["refund"]  # the rule allowed the read-only MCP tool; the handler was asked
    assert kinds.index("approval.requested") < kinds.index("approval.decided")
    assert kinds.count("response.requested") == 1  # one request for the batch of three
    assert sent.count("response.create") == 1
    assert "21 degrees in Paris" in said(events)  # the outputs reached the model
    assert "wifi" in outputs(events)["lookup"] and "not" in outputs(events)["refund"]
