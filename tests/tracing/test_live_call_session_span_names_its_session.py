"""A GPT-Live SIP call's sideband session is one ``invoke_agent`` span; docs/tracing.md ("On
GPT-Live") says it carries ``gen_ai.conversation.id`` and ``openai.live.session_id``, which
is how a trace is matched with the server's session, and ``gen_ai.response.model``, the Live
model the server resolved. A sideband never gets ``session.started`` (its session was started
by the accept; ``session.start`` is refused there): it knows the id from the start (the
call's, ``live_...``) and both from each ``session.updated``.

Before, the span took the id, then the model, only from ``session.started``, and a Live
call's session span named neither. Real parts: a CallServer under uvicorn, the emulator's
Live SIP call, the OTel SDK's in-memory exporter."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.calls import CallServer, end_call
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, answer, wait_for

pytestmark = pytest.mark.anyio


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


async def test_a_live_call_s_session_span_names_its_live_session(
    spans: InMemorySpanExporter,
) -> None:
    model = ScriptedModel(
        [CallFunction("get_weather", {"city": "Paris"}), answer, CallFunction("end_call"), "Bye."]
    )
    agent = rtagents.Agent(name="concierge", tools=[get_weather, end_call])
    async with Emulator(model=model) as emu:
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(
                f"{url}/openai/webhook", SECRET, api="live", say=["Weather?", "Goodbye."]
            )
            await wait_for(emu, call_id, "ended")
            with anyio.fail_after(5):
                while app.calls[call_id].state == "active":
                    await anyio.sleep(0.02)
    assert app.calls[call_id].state == "ended", app.calls[call_id].reason
    finished = spans.get_finished_spans()
    [session] = [s for s in finished if s.name == "invoke_agent concierge"]
    assert session.attributes is not None
    assert [s.name for s in finished if s.name.startswith("execute_tool")]  # it ran its tools
    named = {
        key: session.attributes.get(key)
        for key in ("openai.live.session_id", "gen_ai.conversation.id")
    }
    assert named == {"openai.live.session_id": call_id, "gen_ai.conversation.id": call_id}
    assert session.attributes.get("gen_ai.response.model"), dict(session.attributes)
