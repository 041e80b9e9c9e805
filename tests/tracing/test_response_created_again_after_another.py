"""tracing.md: "A span is started once for what it records: a ``response.created``, a
delegation or a hosted call's item that the server says again adds no second span", also
when other responses ended since (the latest 256 begun are known, as hosted calls' and
delegations' are). Before, a repeat was told only while the response's span was open or
it was the one done last: said again after another, it started a second
``realtime_inference`` span that no ``response.done`` ended (open until the session ended,
then ended with no status)."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents

from ..session.hostile import hostile_server

pytestmark = pytest.mark.anyio


def created(rid: str) -> dict[str, object]:
    return {"type": "response.created", "response": {"id": rid, "status": "in_progress"}}


def done(rid: str) -> dict[str, object]:
    response = {"id": rid, "status": "completed", "output": []}
    return {"type": "response.done", "response": response}


async def test_a_response_created_said_again_after_a_later_response_adds_no_span(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="dup", output_modalities=["text"])
    async with hostile_server() as server:
        async with rtagents.connect(agent, url=server.url) as session:
            for frame in (created("resp_1"), done("resp_1"), created("resp_2"), done("resp_2")):
                await server.send(frame)
            await server.send(created("resp_1"))  # the server says resp_1's start again
            with anyio.fail_after(5):
                await server.told(session, {"type": "rate_limits.updated", "rate_limits": []})
    of_resp_1 = [
        s
        for s in spans.get_finished_spans()
        if s.name.startswith("realtime_inference")
        and (s.attributes or {}).get("gen_ai.response.id") == "resp_1"
    ]
    assert len(of_resp_1) == 1, [
        (s.name, dict(s.attributes or {}).get("gen_ai.response.status")) for s in of_resp_1
    ]
