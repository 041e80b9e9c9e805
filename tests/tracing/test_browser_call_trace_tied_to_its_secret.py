"""DESIGN.md (Tracing): "The session's server-side trace is tied to the local one: the
``tracing`` config ... carries the local trace id (in ``group_id`` unless the user set one,
and in ``metadata``)". A browser's call keeps that as a SIP call does: its tracing is fixed
when its client secret is minted (``POST /session``), in a ``client_secret`` span whose trace
the call's span carries on at attach. Before, the secret was minted outside any span of the
call (``"auto"``), and the call's span at attach started a trace the server's named nowhere.
Real parts: a CallServer under uvicorn, the emulator as the API, an aiortc page."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from tests.calls.browser_call import browser_app, page_call

pytestmark = pytest.mark.anyio


async def test_a_browser_calls_server_trace_names_its_call_span(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="concierge")
    async with browser_app(agent=agent) as (emu, app, http):
        async with page_call(emu, http) as (_, call_id, secret):
            attached = await http.post(
                "/session/attach", json={"call_id": call_id, "client_secret": secret}
            )
            assert attached.json() == {"status": "attached"}
            tracing = emu.desk.calls[call_id].session.get("tracing")
            await app.hangup(call_id)
            with anyio.fail_after(10):
                while app.calls[call_id].state == "active":
                    await anyio.sleep(0.05)
    [call_span] = [s for s in spans.get_finished_spans() if s.name == "realtime_call"]
    trace_id = format(call_span.context.trace_id, "032x")
    assert isinstance(tracing, dict), f"the call's server-side tracing is {tracing!r}"
    assert tracing.get("group_id") == trace_id
    assert (tracing.get("metadata") or {}).get("otel_trace_id") == trace_id
