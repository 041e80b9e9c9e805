"""docs/tracing.md (On GPT-Live): a ``responses_inference`` span's parent is "its delegation
(the session, for a response no delegation made)", and "a delegation's span ends when its last
backend response ends: a response that called tools is continued by the one their outputs ask
for". A backend response that stops on a hosted MCP ``mcp_approval_request`` is continued the
same way: the app's ``mcp_approval_response`` and its ``response.create`` ask the delegation's
next response, which runs the hosted call and answers.

``tracing.live.LiveSpans`` marks a response as continued only when it made a
``function_call``: the delegation's span ends with the approval request's response, and the
response that goes on with the delegation (its events name the same ``delegation_id``) is
parented to the session instead, with its hosted ``execute_tool``: out of its delegation."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import CallMCP, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import HostedMCP
from tests.mcp.servers import http_notes_server
from tests.session.live.harness import speak, spoken, until

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


def said(ctx: ModelContext) -> str:
    return "answered " + " | ".join(str(o.get("output") or "") for o in ctx.pending_outputs)


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


async def test_the_response_after_a_hosted_approval_stays_in_its_delegation(
    spans: InMemorySpanExporter,
) -> None:
    async with http_notes_server() as url:
        notes = HostedMCP(server_label="notes", server_url=url, require_approval="always")
        agent = rtagents.Agent(
            name="a", tools=[notes], approval=ApprovalPolicy(rules=[allow(server="notes")])
        )
        model = ScriptedModel([CallMCP("notes", "lookup", {"key": "greeting"}), said])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
                await speak(session)
                events = await until(session, lambda seen: "answered" in spoken(seen))
    [decided] = [e for e in events if e.type == "approval.decided"]
    assert decided.approve is True
    finished = list(spans.get_finished_spans())
    [delegation] = [s for s in finished if s.name == "delegation"]
    backend = [s for s in finished if s.name.startswith("responses_inference ")]
    assert len(backend) == 2  # the approval request's response, then the one it goes on with
    ids = {b.attributes["rtagents.delegation.id"] for b in backend}
    assert ids == {delegation.attributes["rtagents.delegation.id"]}
    # Both of the delegation's responses are its children, and it ends after the last.
    assert [parent_of(b) for b in backend] == [delegation.context.span_id] * 2
    assert delegation.end_time >= max(b.end_time for b in backend)
