"""``session.update_agent``: what every call shares (the agent, its timeout, how failures are
told, the output limit) comes from the agent the session runs now, whether it is another
agent or the same one changed in place."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import anyio
import pytest
from websockets.asyncio.server import serve

import rtagents
from rtagents import Reconnect
from rtagents.approvals import ApprovalRequest
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel
from rtagents.tools import ToolContext, ToolFailure

from .live.server import LiveServer
from .test_handoff_scope import until

pytestmark = pytest.mark.anyio


@rtagents.tool
async def lookup(query: str, ctx: ToolContext) -> str:
    """Takes a second."""
    await anyio.sleep(1)
    return f"{query} from {ctx.agent.name if ctx.agent else '?'}"


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def one_call(session: rtagents.RealtimeSession, text: str) -> Any:
    await session.send_text(text)
    with anyio.fail_after(10):
        async for event in session:
            if event.type in ("tool.call.completed", "tool.call.failed"):
                return event
        else:
            pytest.fail("the session ended before the call was answered")


def told(failure: ToolFailure) -> str:
    return json.dumps({"told": failure.kind, "message": failure.message})


@pytest.mark.parametrize("how", ["another agent", "the same agent changed"])
async def test_call_settings_follow_the_agent_after_update_agent(how: str) -> None:
    model = ScriptedModel(
        [
            CallFunction("lookup", {"query": "a"}, call_id="c1"),
            echo,
            CallFunction("lookup", {"query": "b"}, call_id="c2"),
            echo,
        ]
    )
    first = rtagents.Agent(name="first", tools=[lookup], output_modalities=["text"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(first, url=emu.url) as session:
            before = await one_call(session, "one")
            assert before.type == "tool.call.completed" and before.output == "a from first"
            if how == "another agent":
                agent = first.clone(name="second", tool_timeout=0.2, format_failure=told)
            else:
                agent = first
                agent.name, agent.tool_timeout, agent.format_failure = "second", 0.2, told
            await session.update_agent(agent)
            after = await one_call(session, "two")
    # The new timeout applies, and the failure is told the new agent's way.
    assert after.type == "tool.call.failed" and after.kind == "timeout", after
    assert json.loads(after.output) == {"told": "timeout", "message": "no result after 0.2 s"}


@rtagents.tool(needs_approval=True)
async def refund(order: str) -> str:
    """Refund an order."""
    return f"refunded {order}"


@pytest.mark.parametrize("how", ["another agent", "the same agent changed"])
async def test_the_approval_policy_follows_the_agent(how: str) -> None:
    model = ScriptedModel(
        [
            CallFunction("refund", {"order": "A1"}, call_id="c1"),
            echo,
            CallFunction("refund", {"order": "A2"}, call_id="c2"),
            echo,
        ]
    )
    asked: list[str] = []

    def yes(request: ApprovalRequest) -> bool:
        asked.append(request.call_id or "")
        return True

    policy = rtagents.ApprovalPolicy(handler=yes)
    first = rtagents.Agent(
        name="first", tools=[refund], approval=policy, output_modalities=["text"]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(first, url=emu.url) as session:
            before = await one_call(session, "one")
            assert before.type == "tool.call.completed" and before.output == "refunded A1"
            if how == "another agent":
                agent = first.clone(name="second", approval=None)
            else:
                agent, first.approval = first, None
            await session.update_agent(agent)
            await session.send_text("two")
            # The new agent has no policy: the default, which leaves the request to an
            # outside answer; the old handler's yes does not carry over.
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "approval.awaiting":
                        await session.deny(event.request.id, "not by the old policy")
                    elif event.type in ("tool.call.completed", "tool.call.failed"):
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
    assert asked == ["c1"]
    assert event.type == "tool.call.failed" and event.kind == "denied", event


@pytest.mark.parametrize("how", ["another agent", "the same agent changed"])
async def test_a_yes_remembered_for_the_session_does_not_pass_the_next_policys_rules(
    how: str,
) -> None:
    model = ScriptedModel(
        [
            CallFunction("refund", {"order": "A1"}, call_id="c1"),
            echo,
            CallFunction("refund", {"order": "A1"}, call_id="c2"),  # the same call again
            echo,
        ]
    )
    lenient = rtagents.ApprovalPolicy(
        handler=lambda request: rtagents.Decision(True, remember="session")
    )
    strict = rtagents.ApprovalPolicy(rules=[rtagents.deny(tool="refund", reason="not here")])
    first = rtagents.Agent(
        name="first", tools=[refund], approval=lenient, output_modalities=["text"]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(first, url=emu.url) as session:
            before = await one_call(session, "one")
            assert before.type == "tool.call.completed"
            if how == "another agent":
                agent = first.clone(name="second", approval=strict)
            else:
                agent, first.approval = first, strict
            await session.update_agent(agent)
            after = await one_call(session, "two")
    assert after.type == "tool.call.failed" and after.kind == "denied", after
    assert "not here" in after.output


async def test_update_agent_while_offline_is_the_next_connections_configuration_with_tracing() -> (
    None
):
    """``update_agent`` while the connection is down sends nothing and waits for nothing:
    the next connection is configured with the new agent, ``tracing`` included (a new
    Realtime session needs it again)."""
    first = rtagents.Agent(name="first", instructions="one", output_modalities=["text"])
    second = rtagents.Agent(name="second", instructions="two", output_modalities=["text"])
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["ok"] * 4)) as emu:
        async with rtagents.connect(
            first, url=emu.url, reconnect=Reconnect(backoff=0.3, max_backoff=0.3)
        ) as s:
            s.on("*")(events.append)
            emu.last.add_fault(DropConnection(on_client="conversation.item.create"))
            await s.send_text("hi")
            await until(events, lambda e: e.type == "session.reconnecting")
            with anyio.fail_after(2):
                await s.update_agent(second)  # offline: returns at once
            await until(events, lambda e: e.type == "session.reconnected")
        conns = list(emu.connections)
    first_updates = [e for e in conns[0].received if e["type"] == "session.update"]
    updates = [e for e in conns[1].received if e["type"] == "session.update"]
    assert "tracing" in first_updates[0]["session"]
    assert updates and updates[0]["session"]["instructions"] == "two"
    assert "tracing" in updates[0]["session"], updates[0]["session"].keys()


async def test_update_agent_while_offline_before_a_live_session_started_still_starts_one() -> None:
    """The first connection drops before ``session.started``: the next one starts a Live
    session (``session.start``), though the app's ``update_agent`` came meanwhile."""

    class DropsFirstStart(LiveServer):
        dropped = False

        async def _handle(self, ws: Any) -> None:
            if not DropsFirstStart.dropped:
                self._ws = ws
                async for text in ws:
                    event = json.loads(text)
                    self.received.append(event)
                    if event["type"] == "session.start":
                        DropsFirstStart.dropped = True
                        await ws.close(code=1011, reason="dropped")
                        return
            await super()._handle(ws)

    server = DropsFirstStart()
    events: list[Any] = []
    first = rtagents.Agent(name="first", instructions="one")
    second = rtagents.Agent(name="second", instructions="two")
    async with serve(server._handle, "127.0.0.1", 0) as ws_server:
        port = next(iter(ws_server.sockets)).getsockname()[1]
        url = f"ws://127.0.0.1:{port}/v1/live/sessions"
        reconnect = Reconnect(backoff=0.3, max_backoff=0.3)
        async with rtagents.connect(first, url=url, api="live", reconnect=reconnect) as s:
            s.on("*")(events.append)
            with anyio.fail_after(2):
                await s.update_agent(second)  # offline: returns at once
            with contextlib.suppress(TimeoutError):
                await until(events, lambda e: e.type == "session.reconnected", within=3)
            kinds = [e["type"] for e in server.received]
            closed = s.closed_reason
    assert kinds.count("session.start") == 2, (kinds, closed)


async def test_a_session_of_fixed_audio_keeps_it_through_the_apps_update_agent() -> None:
    """``connect(..., audio_format="pcmu")`` (a phone line): an agent the app switches to,
    which sets pcm16 for a browser page, is sent in u-law all the same, both ways."""
    browser = rtagents.Agent(
        name="browser", input_audio_format="pcm16", output_audio_format="pcm16"
    )
    async with Emulator(model=ScriptedModel([])) as emu:
        async with rtagents.connect(
            rtagents.Agent(name="phone"), transport=emu.transport(), audio_format="pcmu"
        ) as session:
            first = emu.last.session["audio"]
            await session.update_agent(browser)
            after = emu.last.session["audio"]
    for audio in (first, after):
        assert (audio["input"]["format"]["type"], audio["output"]["format"]["type"]) == (
            "audio/pcmu",
            "audio/pcmu",
        )
    assert browser.input_audio_format == "pcm16"  # the app's agent itself is unchanged
