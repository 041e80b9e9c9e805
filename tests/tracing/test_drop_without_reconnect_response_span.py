"""A dropped connection on the Realtime API ends the responses under way on it with an error
status, ``error.type`` = ``disconnected`` (docs/tracing.md, "A dropped connection on the
Realtime API ends the responses under way on it, and their hosted MCP calls, with an error
status"). That holds whether or not the session reconnects: a session with
``reconnect=None``, or over a transport given as such (which never reconnects), ends at the
drop, and the response it cut must not look like one that ended well."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import rtagents
from rtagents.emulator import DropConnection, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("how", ["reconnect=None", "transport="])
async def test_a_response_cut_by_a_drop_that_ends_the_session_is_failed(
    spans: InMemorySpanExporter, how: str
) -> None:
    agent = rtagents.Agent(name="dropped", output_modalities=["text"])
    fault = DropConnection(after="response.created")
    async with Emulator(model=ScriptedModel(["a long answer " * 50]), faults=[fault]) as emu:
        options: dict[str, Any] = (
            {"url": emu.url, "reconnect": None}
            if how == "reconnect=None"
            else {"transport": emu.transport()}
        )
        async with rtagents.connect(agent, **options) as session:
            await session.send_text("go")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.closed":
                        assert event.error  # the drop ended the session
                        break
                else:
                    pytest.fail("the stream ended without session.closed")
    finished = list(spans.get_finished_spans())
    [response] = [s for s in finished if s.name.startswith("realtime_inference")]
    assert response.status.status_code is StatusCode.ERROR, (response.status, response.attributes)
    assert response.attributes.get("error.type") == "disconnected"
