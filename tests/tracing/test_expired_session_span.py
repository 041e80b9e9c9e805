"""A Realtime session the server ends at its time cap, with reconnecting off: a failed
session, as on GPT-Live.

failures.md: the session hitting its time cap is a drop like a 1011; with
``reconnect=None`` "tool.call.failed with kind="disconnected" for every call in flight
...; then session.closed(error=True, reason=...)". tracing.md: the session span has "an
error status when the session failed". The emulator ends an expired session as the server
does: an ``error`` (``session_expired``), then a close with code 1000. With reconnecting
on, rtagents reads that as the cap (it reconnects). With it off, the 1000 alone decides:
the session is told closed without error, its running call as ``cancelled`` (as if the
app had closed it), and the session span has no error status. GPT-Live's expiry is a
failure: the same test passes there."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import rtagents
from rtagents.emulator import CallFunction, Emulator, ExpireSession, ScriptedModel
from tests.session.live.harness import speak

pytestmark = pytest.mark.anyio


@rtagents.tool
async def charge(amount: int) -> str:
    """Charge the card (slow)."""
    await anyio.sleep(30)
    return "charged"


@pytest.mark.parametrize("api", ["realtime", "live"])
async def test_a_session_the_server_expired_is_a_failed_session(
    spans: InMemorySpanExporter, api: str
) -> None:
    agent = rtagents.Agent(name="shop", tools=[charge])
    model = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="c1")])
    events: list[Any] = []
    async with Emulator(model=model, faults=[ExpireSession(at_s=1.0)]) as emu:
        url = emu.live_url if api == "live" else emu.url
        async with rtagents.connect(agent, url=url, api=api, reconnect=None) as session:
            await speak(session)
            with anyio.fail_after(10):
                async for event in session:
                    events.append(event)
                    if event.type == "session.closed":
                        break
                else:
                    pytest.fail("the session's events ended before session.closed")
    [closed] = [e for e in events if e.type == "session.closed"]
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    root = next(s for s in spans.get_finished_spans() if s.name == "invoke_agent shop")
    tool = next(s for s in spans.get_finished_spans() if s.name == "execute_tool charge")
    assert (closed.error, failed.kind) == (True, "disconnected"), closed.reason
    assert root.status.status_code is StatusCode.ERROR
    assert tool.attributes["rtagents.tool.failure"] == "disconnected"
