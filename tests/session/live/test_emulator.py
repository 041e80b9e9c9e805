"""One agent on the emulator's GPT-Live endpoint, over a real loopback socket: the user
speaks, the Live model delegates, and the session runs the agent's tools, approvals and
hook. Every frame the session sends is one the openai SDK's Live types accept."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from openai.types.live import ClientEvent
from pydantic import TypeAdapter

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel

from .harness import speak, spoken, until

pytestmark = pytest.mark.anyio
SDK = TypeAdapter[Any](ClientEvent)


@rtagents.tool
async def weather(city: str) -> str:
    """The weather in a city."""
    return f"21 degrees in {city}"


@rtagents.tool(needs_approval=True)
def refund(order: int) -> str:
    """Refund an order."""
    return f"refunded {order}"


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


def client_frames(emu: Emulator) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = list(emu.last.received)
    for frame in frames:
        SDK.validate_python(frame)
    return frames


async def test_a_delegated_batch_on_the_emulator() -> None:
    model = ScriptedModel(
        [
            [CallFunction("weather", {"city": "Paris"}), CallFunction("weather", {"city": "Oslo"})],
            echo,
        ]
    )
    agent = rtagents.Agent(instructions="Be brief.", tools=[weather])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(session, lambda seen: "21 degrees in Oslo" in spoken(seen))
            frames = client_frames(emu)
    kinds = [e.type for e in events]
    assert kinds.count("tool.call.completed") == 2 and kinds.count("response.requested") == 1
    assert spoken(events).strip() == "21 degrees in Paris | 21 degrees in Oslo"
    sent = [f["type"] for f in frames if f["type"].startswith("response.")]
    assert sent == ["response.item.create", "response.item.create", "response.create"]


async def test_an_approval_asked_and_a_denied_call_on_the_emulator() -> None:
    asked: list[str] = []

    def handler(request: rtagents.ApprovalRequest) -> bool:
        asked.append(request.tool_name)
        return False

    model = ScriptedModel([CallFunction("refund", {"order": 7}), echo])
    agent = rtagents.Agent(tools=[refund], approval=ApprovalPolicy(handler=handler))
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(session, lambda seen: "not approved" in spoken(seen))
            frames = client_frames(emu)
    assert asked == ["refund"]
    kinds = [e.type for e in events]
    assert kinds.index("approval.requested") < kinds.index("approval.decided")
    assert next(e for e in events if e.type == "tool.call.failed").kind == "denied"
    assert [f["type"] for f in frames].count("response.create") == 1


async def test_a_client_delegation_on_the_emulator() -> None:
    async def on_delegation(delegation: rtagents.Delegation) -> str:
        return "Your order ships tomorrow."

    model = ScriptedModel([CallFunction("track_order", {"order": 7})])
    agent = rtagents.Agent(on_delegation=on_delegation)
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(session, lambda seen: "ships tomorrow" in spoken(seen))
            frames = client_frames(emu)
    delegation = next(e for e in events if e.type == "session.delegation.created")
    [commentary] = [f for f in frames if f["type"] == "session.commentary.append"]
    assert commentary["delegation_id"] == delegation.delegation.id
    assert not [e for e in events if e.type == "session.warning"]


async def test_update_agent_changes_the_backends_tools() -> None:
    model = ScriptedModel([CallFunction("refund", {"order": 7}), echo])
    first = rtagents.Agent(name="first", tools=[weather])
    second = rtagents.Agent(
        name="second", tools=[weather, refund], approval=ApprovalPolicy(handler=lambda r: True)
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(first, url=emu.live_url, api="live") as session:
            await session.update_agent(second)
            assert session.agent is second
            backend = session.config["delegation"]["responses"]
            assert [t["name"] for t in backend["tools"]] == ["weather", "refund"]
            await speak(session)
            events = await until(session, lambda seen: "refunded 7" in spoken(seen))
            frames = client_frames(emu)
    assert [f["type"] for f in frames][:2] == ["session.start", "session.update"]
    assert next(e for e in events if e.type == "tool.call.completed").output == "refunded 7"


async def test_a_local_mcp_servers_tool_runs_for_the_backend() -> None:
    from rtagents.mcp import MCPServerStdio
    from tests.mcp.servers import NOTES_SERVER

    notes = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes")
    model = ScriptedModel([CallFunction("lookup", {"key": "wifi"}), echo])
    agent = rtagents.Agent(tools=[notes], approval=ApprovalPolicy(rules=[allow(read_only=True)]))
    async with Emulator(model=model) as emu, notes:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            backend = session.config["delegation"]["responses"]
            assert "lookup" in [t["name"] for t in backend["tools"]]
            await speak(session)
            events = await until(
                session, lambda seen: any(e.type == "tool.call.completed" for e in seen)
            )
    completed = next(e for e in events if e.type == "tool.call.completed")
    assert completed.name == "lookup"
