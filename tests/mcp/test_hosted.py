"""Hosted MCP: the server (here the emulator) calls a real MCP server; approvals both ways."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, allow, deny
from rtagents.emulator import CallMCP, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import HostedMCP

from .servers import http_notes_server

pytestmark = pytest.mark.anyio
SECRET = "mcp-token-do-not-leak"


def answer(ctx: ModelContext) -> str:
    parts = []
    for item in ctx.pending_outputs:
        if item["type"] == "mcp_call":
            parts.append(item["output"] or f"error: {item['error']['type']}")
        elif item["type"] == "mcp_approval_response" and not item["approve"]:
            parts.append("declined")
    return " | ".join(parts) or "nothing"


async def converse(
    hosted: HostedMCP, policy: ApprovalPolicy | None, turns: list[Any], *, final: str
) -> tuple[list[Any], Any]:
    agent = rtagents.Agent(name="h", tools=[hosted], approval=policy, output_modalities=["text"])
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.send_text("go")
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    if event.type == "response.output_text.done" and final in event.text:
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
            listed = session.hosted_tools
        conn = emu.last
    return [*events, listed], conn


def hosted(url: str, **options: Any) -> HostedMCP:
    return HostedMCP(
        server_label="notes",
        server_url=url,
        authorization=SECRET,
        headers={"X-Api-Key": SECRET},
        **options,
    )


async def test_approved_by_rule_then_called_then_answered() -> None:
    async with http_notes_server() as url:
        events, conn = await converse(
            hosted(url, require_approval="always"),
            ApprovalPolicy(rules=[allow(server="notes", read_only=True)]),
            [CallMCP("notes", "lookup", {"key": "greeting"}), answer],
            final="hello",
        )
    listed = events.pop()
    kinds = [e.type for e in events]
    for expected in [
        "mcp_list_tools.in_progress",
        "mcp_list_tools.completed",
        "approval.requested",
        "approval.decided",
        "response.mcp_call_arguments.done",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
    ]:
        assert expected in kinds, expected
    request = next(e.request for e in events if e.type == "approval.requested")
    assert (
        request.kind,
        request.server_label,
        request.tool_name,
        request.arguments,
        request.read_only,
    ) == ("mcp_hosted", "notes", "lookup", {"key": "greeting"}, True)
    assert next(e for e in events if e.type == "approval.decided").decided_by == "rule"
    sent = [
        e["item"]
        for e in conn.received
        if e["type"] == "conversation.item.create" and e["item"]["type"] == "mcp_approval_response"
    ]
    assert [(s["approval_request_id"], s["approve"]) for s in sent] == [(request.id, True)]
    call = next(
        e.item
        for e in events
        if e.type == "response.output_item.done" and e.item.type == "mcp_call"
    )
    assert (call.output, call.approval_request_id, call.error) == (
        "hello from MCP",
        request.id,
        None,
    )
    assert [t.name for t in listed["notes"]] == [
        "lookup",
        "write_note",
        "explode",
        "learn_trick",
        "ruffle",
        "crash",
    ]


async def test_denied_by_handler_never_runs_and_the_model_is_told() -> None:
    seen: list[ApprovalRequest] = []

    async def handler(request: ApprovalRequest) -> rtagents.Decision:
        seen.append(request)
        return rtagents.Decision(False, "writing is not allowed")

    async with http_notes_server() as url:
        events, conn = await converse(
            hosted(url),
            ApprovalPolicy(handler=handler),
            [CallMCP("notes", "write_note", {"key": "k", "text": "x"}), answer],
            final="declined",
        )
    events.pop()
    assert seen[0].read_only is False
    assert not [e for e in events if e.type.startswith("response.mcp_call")]
    [sent] = [
        e["item"]
        for e in conn.received
        if e["type"] == "conversation.item.create" and e["item"]["type"] == "mcp_approval_response"
    ]
    # The reason says what decided, as a function tool's denial does.
    assert (sent["approve"], sent["reason"]) == (
        False,
        "the agent's approval handler denied it (writing is not allowed)",
    )
    assert len([e for e in events if e.type == "response.requested"]) == 1


async def test_never_needs_no_approval_and_errors_are_typed() -> None:
    async with http_notes_server() as url:
        config = hosted(url, require_approval={"never": {"tool_names": ["lookup", "explode"]}})
        events, _ = await converse(
            config,
            ApprovalPolicy(rules=[deny()]),
            [
                [CallMCP("notes", "lookup", {"key": "greeting"}), CallMCP("notes", "explode", {})],
                answer,
            ],
            final="hello",
        )
    events.pop()
    assert not [e for e in events if e.type == "approval.requested"]
    calls = [
        e.item
        for e in events
        if e.type == "response.output_item.done" and e.item.type == "mcp_call"
    ]
    assert calls[0].output == "hello from MCP"
    assert isinstance(calls[1].error, rtagents.protocol.McpToolExecutionError)
    assert "response.mcp_call.failed" in [e.type for e in events]


async def test_an_unreachable_server_fails_its_listing_and_the_session_goes_on() -> None:
    config = HostedMCP(
        server_label="gone", server_url="http://127.0.0.1:9/mcp", require_approval="never"
    )
    events, _ = await converse(config, None, [CallMCP("gone", "lookup", {}), answer], final="error")
    events.pop()
    kinds = [e.type for e in events]
    assert "mcp_list_tools.failed" in kinds
    call = next(
        e.item
        for e in events
        if e.type == "response.output_item.done" and e.item.type == "mcp_call"
    )
    assert isinstance(call.error, rtagents.protocol.McpHttpError)


async def test_secrets_never_reach_events_or_the_reported_session() -> None:
    async with http_notes_server() as url:
        events, conn = await converse(
            hosted(url, require_approval="never"),
            None,
            [CallMCP("notes", "lookup", {"key": "greeting"}), answer],
            final="hello",
        )
    events.pop()
    for event in events:
        text = event.model_dump_json() if hasattr(event, "model_dump_json") else repr(event)
        assert SECRET not in text, event.type
    sent_update = next(e for e in conn.received if e["type"] == "session.update")
    assert sent_update["session"]["tools"][0]["authorization"] == SECRET  # only where it must go


async def test_denied_by_rule() -> None:
    async with http_notes_server() as url:
        policy = ApprovalPolicy(
            rules=[deny(server="notes", read_only=False, reason="read-only here")]
        )
        events, _conn = await converse(
            hosted(url),
            policy,
            [CallMCP("notes", "write_note", {"key": "k", "text": "x"}), answer],
            final="declined",
        )
    events.pop()
    [decided] = [e for e in events if e.type == "approval.decided"]
    assert (decided.approve, decided.decided_by, decided.reason) == (
        False,
        "rule",
        "read-only here",
    )
    assert not [e for e in events if e.type.startswith("response.mcp_call.")]


def test_hosted_mcp_validation_and_repr() -> None:
    with pytest.raises(ValueError, match="exactly one of server_url, connector_id, tunnel_id"):
        HostedMCP(server_label="x")
    with pytest.raises(ValueError, match="exactly one"):
        HostedMCP(server_label="x", server_url="https://a", connector_id="connector_gmail")
    with pytest.raises(ValueError, match="unknown connector_id"):
        HostedMCP(server_label="x", connector_id="connector_myspace")
    with pytest.raises(ValueError, match="require_approval"):
        HostedMCP(server_label="x", server_url="https://a", require_approval="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="http"):
        HostedMCP(server_label="x", server_url="ftp://a")
    with pytest.raises(TypeError, match="allowed_tools"):
        HostedMCP(server_label="x", server_url="https://a", allowed_tools="lookup")
    ok = HostedMCP(
        server_label="mail",
        connector_id="connector_gmail",
        authorization=SECRET,
        allowed_tools={"read_only": True},
        require_approval={"always": {"read_only": False}},
    )
    assert SECRET not in repr(ok) and SECRET not in str(ok)
    wire = ok.definition().model_dump(exclude_unset=True)
    assert wire == {
        "type": "mcp",
        "server_label": "mail",
        "connector_id": "connector_gmail",
        "authorization": SECRET,
        "allowed_tools": {"read_only": True},
        "require_approval": {"always": {"read_only": False}},
    }
    agent = rtagents.Agent(tools=[ok])
    assert agent.session_config().tools[0].server_label == "mail"  # type: ignore[index, union-attr]


async def test_credentials_a_server_echoes_back_are_redacted() -> None:
    echoed = {
        "type": "session.updated",
        "event_id": "e",
        "session": {
            "type": "realtime",
            "tools": [
                {
                    "type": "mcp",
                    "server_label": "x",
                    "server_url": f"https://x/mcp?token={SECRET}",
                    "authorization": SECRET,
                    "headers": {"X-Key": SECRET},
                }
            ],
        },
    }
    async with Emulator() as emu:
        async with rtagents.connect(rtagents.Agent(name="r"), url=emu.url) as session:
            await emu.last.send_raw(json.dumps(echoed))
            with anyio.fail_after(5):
                async for event in session:
                    if event.type == "session.updated" and event.event_id == "e":
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
    assert SECRET not in event.model_dump_json()
    assert event.session.tools[0].headers == {"X-Key": "***"}
    assert event.session.tools[0].server_url == "https://x/mcp"  # the query's token goes


async def test_the_emulator_fetches_hosted_mcp_only_from_allowed_hosts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    caplog.set_level(logging.WARNING, logger="rtagents.emulator")
    async with http_notes_server() as url:
        agent = rtagents.Agent(name="h", tools=[hosted(url)], output_modalities=["text"])
        # Allowed by a glob: the listing works.
        async with Emulator(mcp_hosts=["127.0.0.*"]) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "mcp_list_tools.completed":
                            break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")
        # Not in the list: refused, and the log says why and how to allow it.
        async with Emulator(mcp_hosts=["mcp.example.com"]) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "mcp_list_tools.failed":
                            break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")
    refused = [r.getMessage() for r in caplog.records if "does not fetch" in r.getMessage()]
    assert refused and "--mcp-host 127.0.0.1" in refused[0]


async def test_an_unreachable_hosted_server_is_logged_with_its_real_cause(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    caplog.set_level(logging.WARNING, logger="rtagents.emulator")
    config = HostedMCP(server_label="gone", server_url="http://127.0.0.1:9/mcp")
    agent = rtagents.Agent(name="h", tools=[config], output_modalities=["text"])
    async with Emulator() as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "mcp_list_tools.failed":
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
    [line] = [r.getMessage() for r in caplog.records if "'gone'" in r.getMessage()]
    assert "TaskGroup" not in line and "onnect" in line  # ConnectError / connection refused
