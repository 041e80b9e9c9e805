"""Calls with an OpenTelemetry SDK configured: the call's session is accepted (or its client
secret minted) with the same ``tracing`` its sideband then sends, so the server never
refuses the sideband's ``session.update`` and the call keeps its tools."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.calls import CallServer, end_call
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import serve_asgi

from ..calls.harness import (
    SECRET,
    answer,
    call_whose_sideband_drops,
    wait_for,
    weather_then_goodbye,
)

pytestmark = pytest.mark.anyio


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


async def test_a_sip_call_runs_its_tools_with_an_sdk_configured(
    spans: InMemorySpanExporter,
) -> None:
    model = weather_then_goodbye()
    agent = rtagents.Agent(name="concierge", tools=[get_weather, end_call])
    async with Emulator(model=model) as emu:
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(
                f"{url}/openai/webhook", SECRET, say=["Weather in Paris?", "Thanks, bye."]
            )
            record = await wait_for(emu, call_id, "ended")
        call = app.calls[call_id]
    assert [c["name"] for c in record["tool_calls"]] == ["get_weather", "end_call"]
    assert record["tool_calls"][0]["output"] == "sunny in Paris"
    assert call.state == "ended", call.reason
    # The server's trace is tied to the local one: the call's span is the session's parent,
    # and its trace is the group the call was accepted with.
    tracing = emu.desk.calls[call_id].session["tracing"]
    finished = spans.get_finished_spans()
    [call_span] = [s for s in finished if s.name == "realtime_call"]
    [session_span] = [s for s in finished if s.name == "invoke_agent concierge"]
    assert session_span.parent is not None
    assert session_span.parent.span_id == call_span.context.span_id
    trace_id = format(call_span.context.trace_id, "032x")
    assert tracing["group_id"] == trace_id
    assert tracing["metadata"]["otel_trace_id"] == trace_id
    assert call_span.attributes["openai.realtime.call_id"] == call_id
    assert call_span.attributes["rtagents.call.state"] == "ended"


async def test_a_sideband_never_resends_tracing_even_after_a_reconnect(
    spans: InMemorySpanExporter,
) -> None:
    """The call was accepted with its tracing; its sideband, dropped and opened again mid-
    call, never sends ``tracing``, and the call goes on with its tools."""
    call = await call_whose_sideband_drops()
    emu, app, call_id, record, sidebands = (
        call.emu,
        call.app,
        call.call_id,
        call.record,
        call.sidebands,
    )
    assert len(sidebands) == 2  # it did reconnect
    assert [c["name"] for c in record["tool_calls"]] == ["get_weather", "end_call"]
    assert app.calls[call_id].state == "ended", app.calls[call_id].reason
    updates = [
        frame["session"]
        for conn in sidebands
        for frame in conn.received
        if isinstance(frame, dict) and frame.get("type") == "session.update"
    ]
    assert len(updates) >= 2 and all("tracing" not in u for u in updates)
    assert emu.desk.calls[call_id].session["tracing"]["workflow_name"] == "concierge"


async def test_a_browser_call_runs_its_tools_with_an_sdk_configured(
    spans: InMemorySpanExporter,
) -> None:
    """A browser's call is created from the client secret ``POST /session`` minted (the
    emulator accepts a call with that secret's session, as OpenAI does for the page's
    WebRTC offer); the sideband ``POST /session/attach`` starts never changes its tracing."""
    model = ScriptedModel([CallFunction("get_weather", {"city": "Paris"}), answer])
    agent = rtagents.Agent(name="concierge", tools=[get_weather])
    async with Emulator(model=model) as emu:
        app = CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            authorize=lambda request: True,
            drain_timeout=0,
        )
        minted: list[dict[str, Any]] = []
        mint = app.api.client_secret

        async def spy(session: dict[str, Any]) -> Any:  # the real request, seen on its way
            minted.append(session)
            return await mint(session)

        app.api.client_secret = spy  # type: ignore[method-assign]
        async with serve_asgi(app) as url, httpx2.AsyncClient() as http:
            secret = (await http.post(f"{url}/session")).json()["client_secret"]
            call_id = emu.place_call("http://127.0.0.1:9/none", SECRET, say=["Weather?"])
            accepted = await http.post(
                f"{emu.http_url}/realtime/calls/{call_id}/accept", json=minted[0]
            )
            assert accepted.status_code == 200
            attach = await http.post(
                f"{url}/session/attach", json={"call_id": call_id, "client_secret": secret}
            )
            assert attach.status_code == 200, attach.text
            with anyio.fail_after(15):
                while not emu.desk.calls[call_id].transcript[1:]:
                    await anyio.sleep(0.02)
            record = app.calls[call_id]
            assert record.state == "active", record.reason
            assert emu.desk.calls[call_id].status == "accepted"  # never hung up meanwhile
        call = emu.desk.calls[call_id]
    assert [(c["name"], c["output"]) for c in call.tool_calls] == [
        ("get_weather", "sunny in Paris")
    ]
    assert call.status == "ended"  # the server's drain hung it up: no replica can take it
    [sideband] = call._sidebands
    updates = [f for f in sideband.received if f.get("type") == "session.update"]
    assert updates and all("tracing" not in u["session"] for u in updates)
