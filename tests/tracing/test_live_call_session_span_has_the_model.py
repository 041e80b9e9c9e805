"""tracing.md, "On GPT-Live": the ``invoke_agent {agent}`` span carries
``gen_ai.conversation.id`` and ``openai.live.session_id`` (from ``session.started``, or a
call's sideband's first ``session.updated``), and ``gen_ai.response.model`` (the Live model
the server resolved): a Live call's too, whose sideband never gets ``session.started``.
Before, the model was read from ``session.started`` only, and a Live call's session span
never said which Live model ran it, though every ``session.updated`` carries it."""

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


async def test_a_live_call_s_session_span_names_the_live_model(
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
    [session] = [s for s in spans.get_finished_spans() if s.name == "invoke_agent concierge"]
    attributes = dict(session.attributes or {})
    assert attributes.get("openai.live.session_id") == call_id  # named from session.updated
    assert attributes.get("gen_ai.response.model"), attributes
