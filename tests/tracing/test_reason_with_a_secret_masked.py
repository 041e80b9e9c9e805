"""tracing.md: "Secrets never appear in attributes: not the API key, not MCP
``authorization`` tokens, not header values." An approval's or a guardrail's reason made of
an exception's message (a handler, a guardrail that raised) has a credential it quotes
masked, as a tool's failure has: the ``approval {tool}`` span's
``rtagents.approval.reason``, the ``guardrail {name}`` span's reason and status, and the
``guardrail.tripped`` event on the response, with ``trace_content`` on. Before, these kept
the message as it was (here the session's own API key, echoed by an authentication
error)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import ApprovalPolicy, GuardrailResult, Guardrails
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
API_KEY = "sk-test-abcdefABCDEF0123456789"


def _auth_error() -> Exception:
    # the words of an API client whose key was refused (it quotes the key it was given)
    return PermissionError(f"Incorrect API key provided: {API_KEY}")


def _recorded(spans: InMemorySpanExporter) -> list[tuple[str, str]]:
    where = []
    for s in spans.get_finished_spans():
        fields: list[tuple[str, Any]] = [
            *dict(s.attributes or {}).items(),
            ("status", s.status.description),
            *[(e.name, json.dumps(dict(e.attributes or {}), default=str)) for e in s.events],
        ]
        where += [(s.name, k) for k, v in fields if API_KEY in str(v)]
    return where


@rtagents.tool(needs_approval=True)
def pay(amount: int) -> str:
    """Pay an amount."""
    return "paid"


async def test_an_approval_handlers_error_keeps_the_api_key_out_of_the_span(
    spans: InMemorySpanExporter,
) -> None:
    def ask(request: Any) -> bool:
        raise _auth_error()  # (a handler asking a service, with the app's key)

    agent = rtagents.Agent(
        name="shop",
        tools=[pay],
        approval=ApprovalPolicy(handler=ask),
        output_modalities=["text"],
    )
    model = ScriptedModel([CallFunction("pay", {"amount": 5}), "sorry"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(
            agent, url=emu.url, api_key=API_KEY, trace_content=True
        ) as session:
            with anyio.fail_after(10):
                events = await session.ask("pay")
    [decided] = [e for e in events if e.type == "approval.decided"]
    assert (decided.approve, decided.decided_by) == (False, "error")
    assert [s for s in spans.get_finished_spans() if s.name == "approval pay"]
    where = _recorded(spans)
    assert not where, where


def classify(text: str) -> GuardrailResult:
    raise _auth_error()  # (a moderation client, with the app's key)


async def test_a_guardrails_error_keeps_the_api_key_out_of_the_spans(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="desk", guardrails=Guardrails(input=[classify]))
    model = ScriptedModel(["We can help with that."])
    async with Emulator(model=model, realtime=True, audio_chunk_ms=100) as emulator:
        async with rtagents.connect(
            agent, url=emulator.url, api_key=API_KEY, trace_content=True
        ) as session:
            await session.send_text("hello there")
            with anyio.fail_after(15):
                async for event in session:
                    if event.type == "guardrail.tripped":
                        break
                else:
                    pytest.fail("the session ended before the guardrail tripped")
    assert [s for s in spans.get_finished_spans() if s.name.startswith("guardrail ")]
    where = _recorded(spans)
    assert not where, where
