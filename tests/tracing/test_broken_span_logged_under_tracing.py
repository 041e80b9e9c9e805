"""docs/tracing.md: an SDK part that raises costs only its spans, and "the error is logged
under ``rtagents.tracing`` (once for a span that cannot start, not once for each event of its
work)". The spans the tracer starts from the session's events (a response's, a
``reconnect``, an approval's, a guardrail's, a hosted call's) go through the one guarded
start: logged there (they were logged under ``rtagents.session`` as an observer's failure),
and a reconnect's span that cannot start is tried once, not at every attempt."""

from __future__ import annotations

import logging

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


def broke(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "the processor broke on start" in r.getMessage()]


@pytest.mark.parametrize("broken", [("start", "realtime_inference")], indirect=True)
async def test_a_response_span_that_cannot_start_is_logged_under_tracing(
    broken: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    agent = rtagents.Agent(name="b", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["Hello."])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(5):
                await session.ask("Hi")
    said = broke(caplog)
    assert said, "the failure was not logged at all"
    assert [r.name for r in said] == ["rtagents.tracing"], [(r.name, r.getMessage()) for r in said]


@pytest.mark.parametrize("broken", [("start", "reconnect")], indirect=True)
async def test_a_reconnect_span_that_cannot_start_is_logged_once(
    broken: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    """The server goes away for good: one reconnect, of three attempts that each fail, whose
    span cannot start (a span, so one failure said, not one for each attempt)."""
    caplog.set_level(logging.WARNING)
    agent = rtagents.Agent(name="b", output_modalities=["text"])
    fast = rtagents.Reconnect(backoff=0.01, max_backoff=0.02, attempts=3)
    attempts, kinds = [], []
    emulator, running = Emulator(model=ScriptedModel(["Hello."])), True
    await emulator.__aenter__()
    try:
        async with rtagents.connect(agent, url=emulator.url, reconnect=fast) as session:
            running = False
            await emulator.__aexit__(None, None, None)  # it stops: every attempt is refused
            with anyio.fail_after(10):
                async for event in session:
                    kinds.append(event.type)
                    if event.type == "session.reconnecting":
                        attempts.append(event.attempt)
    finally:
        if running:
            await emulator.__aexit__(None, None, None)
    assert attempts == [1, 2, 3] and "session.reconnected" not in kinds, kinds
    said = broke(caplog)
    assert len(said) == 1, [(r.name, r.getMessage()) for r in said]
