"""A trip is traced: a ``guardrail`` span under the response it cancelled (an error span
when the guardrail failed), and a span event on that response."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import Guardrail, GuardrailResult, Guardrails
from rtagents.emulator import ScriptedModel

from .test_output import LONG, FakePlayer, run_until_trip

pytestmark = pytest.mark.anyio


async def test_a_trip_is_a_span_under_the_response_it_cancelled(
    spans: InMemorySpanExporter,
) -> None:
    async def broken(text: str) -> GuardrailResult:
        raise RuntimeError("down")

    async def late_bool(text: str) -> bool:
        await anyio.sleep(0.2)  # trips after broken did: recorded only
        return True

    checks: list[Any] = [broken, Guardrail(late_bool, "yes_man")]  # type: ignore[arg-type]
    agent = rtagents.Agent(name="shop", guardrails=Guardrails(output=checks))
    events, _ = await run_until_trip(agent, ScriptedModel([LONG]), FakePlayer(200), trips=2)
    trips = {e.guardrail: e for e in events if e.type == "guardrail.tripped"}
    assert (trips["broken"].acted, trips["yes_man"].acted) == (True, False)
    finished = spans.get_finished_spans()
    by_name = {s.name: s for s in finished if s.name.startswith("guardrail ")}
    assert set(by_name) == {"guardrail broken", "guardrail yes_man"}
    acted = by_name["guardrail broken"]
    assert acted.attributes is not None
    assert acted.attributes["rtagents.guardrail.kind"] == "output"
    assert acted.attributes["rtagents.guardrail.decided_by"] == "error"
    assert acted.attributes["rtagents.guardrail.cancelled_response"] == trips["broken"].cancelled
    assert acted.status.status_code.name == "ERROR"
    assert acted.attributes["error.type"] == "guardrail_error"
    [response] = [s for s in finished if s.name.startswith("realtime_inference")]
    assert acted.parent is not None and acted.parent.span_id == response.context.span_id
    assert [e.name for e in response.events].count("guardrail.tripped") == 1
