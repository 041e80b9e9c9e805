"""A reconnect the session never finished: when it gave up (the session failed), its span has
an error status; when the app closed the session while it was under way, it failed nothing,
and its span has none (its end says why: the session's span has the close reason)."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("app_closes", [True, False])
async def test_the_reconnect_span_is_an_error_only_when_it_failed(
    spans: InMemorySpanExporter, app_closes: bool
) -> None:
    agent = rtagents.Agent(name="b", output_modalities=["text"])
    # Closed by the app: a reconnect that could go on for minutes; else one that gives up.
    slow = rtagents.Reconnect(backoff=0.5, max_backoff=1.0, attempts=100)
    fast = rtagents.Reconnect(backoff=0.01, max_backoff=0.02, attempts=2)
    emulator, running = Emulator(model=ScriptedModel(["Hello."])), True
    await emulator.__aenter__()
    try:
        async with rtagents.connect(
            agent, url=emulator.url, reconnect=slow if app_closes else fast
        ) as session:
            running = False
            await emulator.__aexit__(None, None, None)  # it stops: every attempt is refused
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.reconnecting" and app_closes:
                        break  # the app leaves while the reconnect is under way
                else:
                    assert not app_closes, "the session ended before it reconnected"
    finally:
        if running:
            await emulator.__aexit__(None, None, None)
    [reconnect] = [s for s in spans.get_finished_spans() if s.name == "reconnect"]
    failed = reconnect.status.status_code is StatusCode.ERROR
    assert failed is not app_closes, (reconnect.status, app_closes)
