"""A function call the server lists only in ``response.done`` (its
``response.function_call_arguments.done`` and ``output_item.done`` never sent) runs, as
docs/failures.md says. Its ``execute_tool`` span must be a child of the response that asked
(docs/tracing.md: "the response that asked"), as GPT-Live's is for a response seen only by
its end (``LiveSpans.span_of`` keeps closed responses for that).

Found: on Realtime, ``response.done`` is delivered to the tracer (which ends and forgets the
response's span) before the call it lists is started, so the tool span's parent is the
session's span. Real parts: the emulator over loopback, its ``send_raw`` for the server's
frames, the OTel SDK's in-memory exporter."""

from __future__ import annotations

import json

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def _response(status: str, output: list[dict[str, object]]) -> dict[str, object]:
    return {
        "object": "realtime.response",
        "id": "resp_listed_only",
        "status": status,
        "output": output,
        "conversation_id": "conv_1",
        "output_modalities": ["text"],
    }


async def test_a_call_listed_only_in_response_done_is_a_child_of_its_response(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="weather", tools=[get_weather], output_modalities=["text"])
    call = {
        "type": "function_call",
        "id": "item_call_1",
        "object": "realtime.item",
        "status": "completed",
        "name": "get_weather",
        "call_id": "call_listed_only",
        "arguments": json.dumps({"city": "Oslo"}),
    }
    async with Emulator(model=ScriptedModel([])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            [conn] = [c for c in emu.connections if not c.closed.is_set()]
            created = {
                "type": "response.created",
                "event_id": "e1",
                "response": _response("in_progress", []),
            }
            done = {
                "type": "response.done",
                "event_id": "e2",
                "response": _response("completed", [call]),
            }
            await conn.send_raw(json.dumps(created))
            await conn.send_raw(json.dumps(done))
            with anyio.fail_after(10):
                async for event in session:
                    if event.type in ("tool.call.completed", "tool.call.failed"):
                        assert event.call_id == "call_listed_only"
                        break
                else:
                    pytest.fail("the listed call never ran")
    finished = spans.get_finished_spans()
    [response] = [
        s for s in finished if s.attributes.get("gen_ai.response.id") == "resp_listed_only"
    ]
    [tool] = [s for s in finished if s.name == "execute_tool get_weather"]
    parent = next(s for s in finished if tool.parent and s.context.span_id == tool.parent.span_id)
    assert parent.name == response.name and tool.parent.span_id == response.context.span_id, (
        f"the tool's span is a child of {parent.name!r}, not of the response that asked"
    )
