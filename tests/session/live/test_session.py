"""One agent on GPT-Live, end to end over a loopback socket: ``connect(agent, api="live")``
runs the agent's tools, approvals and delegations, and the app sees the same events as on
the Realtime API."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, Thinking, allow
from rtagents.errors import ConnectError, UnsupportedByAPI
from rtagents.session.connect import OPENAI_LIVE_URL, endpoint

from .server import live_server

pytestmark = pytest.mark.anyio


@rtagents.tool
async def weather(city: str) -> str:
    """The weather in a city."""
    await anyio.sleep(0.01)
    return f"21 degrees in {city}"


@rtagents.tool(needs_approval=True)
def refund(order: int) -> str:
    """Refund an order."""
    return f"refunded {order}"


async def events_until(session: Any, kind: str, count: int = 1) -> list[Any]:
    seen: list[Any] = []
    with anyio.fail_after(5):
        async for event in session:
            seen.append(event)
            if len([e for e in seen if e.type == kind]) >= count:
                return seen
    pytest.fail(f"the session ended before {count} {kind}: {[e.type for e in seen][-10:]}")


def types(events: list[Any]) -> list[str]:
    return [e.type for e in events]


async def test_a_delegated_batch_runs_the_tools_and_asks_once() -> None:
    agent = rtagents.Agent(name="concierge", instructions="Be brief.", tools=[weather])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live") as session:
            assert (session.api, session.id) == ("live", "live_1")
            assert server.path == "/v1/live/sessions"  # no query: the model is in session.start
            assert server.session["model"] == "gpt-live-1"
            backend = server.session["delegation"]["responses"]
            assert [t["name"] for t in backend["tools"]] == ["weather"]
            assert backend["instructions"] == "Be brief."
            await server.delegate_calls(
                "del_1",
                "resp_1",
                ("call_a", "weather", '{"city": "Paris"}'),
                ("call_b", "weather", '{"city": "Oslo"}'),
            )
            events = await events_until(session, "response.requested")
            await server.expect("response.create")
            await anyio.sleep(0.05)  # a second request would have come by now
            assert len(server.of("response.create")) == 1
            outputs = [e["item"] for e in server.of("response.item.create")]
            assert {(o["call_id"], o["output"]) for o in outputs} == {
                ("call_a", "21 degrees in Paris"),
                ("call_b", "21 degrees in Oslo"),
            }
            last_output = max(
                i for i, e in enumerate(server.received) if e["type"] == "response.item.create"
            )
            first_create = min(
                i for i, e in enumerate(server.received) if e["type"] == "response.create"
            )
            assert last_output < first_create
            assert types(events).count("tool.call.started") == 2
            assert types(events).count("tool.call.completed") == 2
            requested = [e for e in events if e.type == "response.requested"]
            assert requested[0].call_ids == ("call_a", "call_b")
            await server.answer("del_1", "resp_2", "Paris is at 21 degrees.")
            await anyio.sleep(0.05)
            assert len(server.of("response.create")) == 1
            history = session.history
            assert [type(i).__name__ for i in history][:2] == ["FunctionCall", "FunctionCall"]


async def test_an_approval_is_asked_and_a_denied_call_is_answered() -> None:
    asked: list[str] = []

    def handler(request: rtagents.ApprovalRequest) -> bool:
        asked.append(request.tool_name)
        return False

    agent = rtagents.Agent(tools=[refund], approval=ApprovalPolicy(handler=handler))
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live") as session:
            await server.delegate_calls("del_1", "resp_1", ("call_r", "refund", '{"order": 7}'))
            events = await events_until(session, "tool.call.failed")
            await server.expect("response.create")
    assert asked == ["refund"]
    assert "approval.requested" in types(events) and "approval.decided" in types(events)
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    assert failed.kind == "denied"
    [output] = server.of("response.item.create")
    assert output["item"]["call_id"] == "call_r" and "not approved" in output["item"]["output"]


async def test_a_hosted_mcp_approval_request_is_answered_then_continued() -> None:
    docs = rtagents.HostedMCP("docs", server_url="https://example.com/mcp", authorization="sk-x")
    agent = rtagents.Agent(tools=[docs], approval=ApprovalPolicy(rules=[allow(tool="search")]))
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live") as session:
            [mcp] = server.session["delegation"]["responses"]["tools"]
            assert (mcp["type"], mcp["server_label"], mcp["authorization"]) == (
                "mcp",
                "docs",
                "sk-x",
            )
            await server.send(
                "session.delegation.created",
                offset_ms=1,
                delegation={"type": "delegation", "id": "del_1", "target": "responses"},
            )
            await server.stream(
                "del_1", "response.created", response={"id": "resp_1", "status": "in_progress"}
            )
            request = {
                "type": "mcp_approval_request",
                "id": "mcpr_1",
                "server_label": "docs",
                "name": "search",
                "arguments": "{}",
            }
            await server.stream("del_1", "response.output_item.done", output_index=0, item=request)
            await server.stream(
                "del_1", "response.completed", response={"id": "resp_1", "status": "completed"}
            )
            events = await events_until(session, "approval.decided")
            await server.expect("response.create")
    [answer] = server.of("response.item.create")
    assert answer["item"] == {
        "type": "mcp_approval_response",
        "approval_request_id": "mcpr_1",
        "approve": True,
    }
    assert next(e for e in events if e.type == "approval.decided").approve


async def test_a_client_delegation_is_answered_by_the_agents_hook() -> None:
    delegations: list[rtagents.Delegation] = []

    async def on_delegation(delegation: rtagents.Delegation) -> Any:
        delegations.append(delegation)
        return "Your order ships tomorrow." if len(delegations) == 1 else Thinking("Still looking.")

    agent = rtagents.Agent(instructions="Help with orders.", on_delegation=on_delegation)
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live") as session:
            assert server.session["delegation"] == {"type": "client"}
            await server.send(
                "session.input_transcript.delta", delta="Where is my order?", start_ms=0, end_ms=900
            )
            await server.send(
                "session.delegation.created",
                offset_ms=1000,
                delegation={"type": "delegation", "id": "del_1", "target": "client"},
            )
            await server.expect("session.commentary.append")
            await server.send(
                "session.delegation.created",
                offset_ms=2000,
                delegation={"type": "delegation", "id": "del_2", "target": "client"},
            )
            await server.expect("session.thinking.append")
            await session.commentary("One more thing.")
            await server.expect("session.commentary.append", 2)
    assert delegations[0].id == "del_1" and delegations[0].user_text == "Where is my order?"
    assert delegations[0].session is session
    assert delegations[1].transcript == ()
    commentary = server.of("session.commentary.append")
    assert [(c["content"], c["delegation_id"]) for c in commentary] == [
        ("Your order ships tomorrow.", "del_1"),
        ("One more thing.", None),
    ]
    [thinking] = server.of("session.thinking.append")
    assert (thinking["content"], thinking["delegation_id"]) == ("Still looking.", "del_2")


async def test_a_failing_hook_is_a_warning_and_the_model_is_told() -> None:
    def on_delegation(delegation: rtagents.Delegation) -> str:
        raise RuntimeError("no database")

    agent = rtagents.Agent(on_delegation=on_delegation)
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live") as session:
            await server.send(
                "session.delegation.created",
                offset_ms=1,
                delegation={"type": "delegation", "id": "del_1", "target": "client"},
            )
            events = await events_until(session, "session.warning")
            [thinking] = await server.expect("session.thinking.append")
    assert "on_delegation failed: RuntimeError: no database" in events[-1].message
    assert thinking["delegation_id"] == "del_1"


async def test_what_gpt_live_cannot_do_raises_and_sends_nothing() -> None:
    async with live_server() as server:
        async with rtagents.connect(rtagents.Agent(), url=server.url, api="live") as session:
            for request in (
                session.send_text("hi"),
                session.commit_audio(),
                session.create_response(),
                session.cancel_response(),
                session.interrupt(),
            ):
                with pytest.raises(UnsupportedByAPI, match=r"^GPT-Live has no "):
                    await request
            await session.send_audio(b"\x00\x00")
            await server.expect("session.input_audio.append")
            assert "api=live" in repr(session)
    sent = [e["type"] for e in server.received]
    assert sent == ["session.start", "session.input_audio.append", "session.close"]


async def test_the_servers_session_closed_ends_the_session_with_its_reason() -> None:
    async with live_server() as server:
        async with rtagents.connect(rtagents.Agent(), url=server.url, api="live") as session:
            resource = {"id": "live_1", "model": "gpt-live-1", "expires_at": 1, "status": "active"}
            await server.send(
                "session.closed", reason="expired", session=resource, usage={"seconds": 60.0}
            )
            events = await events_until(session, "session.closed")
            assert session.closed_reason == "GPT-Live ended the session: expired"
    # The server's own session.closed is not delivered: the framework's says it, once.
    assert types(events) == [
        "session.started",
        "session.usage.updated",  # its final usage
        "usage.updated",
        "session.closed",
    ]
    assert events[-1].error and session.usage.seconds == {"gpt-live-1": 60.0}


async def test_a_rejected_session_start_raises_naming_the_param() -> None:
    async with live_server() as server:
        server.refuse = {
            "type": "invalid_request_error",
            "code": "unknown_parameter",
            "message": "Unknown model.",
            "param": "session.model",
        }
        with pytest.raises(rtagents.SessionConfigError, match="Unknown model") as info:
            async with rtagents.connect(rtagents.Agent(), url=server.url, api="live"):
                pass
    assert info.value.param == "session.model"


def test_the_live_endpoint_takes_no_query() -> None:
    assert endpoint(None, "sk", None, "gpt-live-1", None, "live") == (
        OPENAI_LIVE_URL,
        {"Authorization": "Bearer sk"},
    )
    url, _ = endpoint("ws://127.0.0.1:9/v1/live/sessions", None, None, "gpt-live-1", None, "live")
    assert url == "ws://127.0.0.1:9/v1/live/sessions"
    with pytest.raises(ConnectError, match="the GPT-Live URL must start with ws://"):
        endpoint("http://x", None, None, "m", None, "live")


async def test_connect_refuses_what_gpt_live_sessions_do_not_do_yet() -> None:
    with pytest.raises(ConnectError, match="call_id"):
        async with rtagents.connect(
            rtagents.Agent(), api="live", call_id="rtc_1", url="ws://127.0.0.1:9"
        ):
            pass
    with pytest.raises(ConnectError, match="reconnect=None"):
        async with rtagents.connect(
            rtagents.Agent(),
            api="live",
            reconnect=rtagents.Reconnect(),
            transport=lambda: None,  # type: ignore[arg-type,return-value]
        ):
            pass
    with pytest.raises(ValueError, match="api must be"):
        async with rtagents.connect(rtagents.Agent(), api="grpc", url="ws://127.0.0.1:9"):  # type: ignore[arg-type]
            pass
