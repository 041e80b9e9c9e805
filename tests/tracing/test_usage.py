"""Usage in OpenTelemetry, read with the SDK's in-memory exporter and reader: each response's
span has the ``gen_ai.usage.*`` tokens of its ``response.done`` and ours by modality; the
session's span has the session's totals and cost; ``gen_ai.client.token.usage`` records
each response's tokens by ``gen_ai.token.type`` and modality, summing to ``session.usage``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import anyio
import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import Prices
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel

from .test_metrics import points, reader  # noqa: F401 (the fixture)

pytestmark = pytest.mark.anyio
# Models of this module's own: the metric's points are the whole process's.
MODEL, METERED = "gpt-realtime-usage-test", "gpt-realtime-usage-metered"
PRICE = Prices(text_input=4, audio_input=32, text_output=16, audio_output=64)
PRICES = {MODEL: PRICE, METERED: PRICE}


@rtagents.tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


def echo(ctx: ModelContext) -> str:
    return " | ".join(str(o.get("output")) for o in ctx.pending_outputs)


async def a_session(
    script: list[Any], model: str = MODEL
) -> tuple[list[Any], rtagents.UsageRecord, Decimal | None]:
    agent = rtagents.Agent(name="usage-traced", model=model, tools=[lookup])
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(script)) as emu:
        async with rtagents.connect(agent, url=emu.url, prices=PRICES) as session:
            events += await session.ask("look it up")
            with anyio.fail_after(5):
                async for event in session:  # the last response's usage follows its done
                    events.append(event)
                    if event.type == "usage.updated":
                        break
                else:
                    pytest.fail("the session ended before the last usage report")
            usage, cost = session.usage, session.cost
    return events, usage, cost


async def test_response_spans_and_the_session_span_carry_the_usage(
    spans: InMemorySpanExporter,
) -> None:
    events, usage, cost = await a_session([CallFunction("lookup", {"key": "a"}), echo])
    finished = spans.get_finished_spans()
    done = {e.response.id: e.response.usage for e in events if e.type == "response.done"}
    assert len(done) == 2
    responses = [s for s in finished if s.name == f"realtime_inference {MODEL}"]
    assert {s.attributes["gen_ai.response.id"] for s in responses} == set(done)
    for span in responses:
        wire = done[span.attributes["gen_ai.response.id"]]
        inp, out = wire.input_token_details, wire.output_token_details
        assert span.attributes["gen_ai.usage.input_tokens"] == wire.input_tokens
        assert span.attributes["gen_ai.usage.output_tokens"] == wire.output_tokens
        assert span.attributes["gen_ai.usage.cache_read.input_tokens"] == inp.cached_tokens
        assert span.attributes["rtagents.usage.input_text_tokens"] == inp.text_tokens
        assert span.attributes["rtagents.usage.input_audio_tokens"] == inp.audio_tokens
        assert span.attributes["rtagents.usage.output_text_tokens"] == out.text_tokens
        assert span.attributes["rtagents.usage.output_audio_tokens"] == out.audio_tokens
    [session] = [s for s in finished if s.name == "invoke_agent usage-traced"]
    attributes = session.attributes
    assert attributes["gen_ai.usage.input_tokens"] == usage.input_tokens
    assert attributes["gen_ai.usage.output_tokens"] == usage.output_tokens
    assert attributes["rtagents.usage.output_audio_tokens"] == usage.tokens.audio_output
    assert attributes["rtagents.usage.responses"] == 2
    assert cost is not None and attributes["rtagents.usage.cost"] == float(cost)
    assert usage.input_tokens == sum(w.input_tokens for w in done.values())


async def test_token_usage_histogram_by_type_and_modality(
    reader: InMemoryMetricReader,  # noqa: F811
) -> None:
    events, usage, _ = await a_session([CallFunction("lookup", {"key": "b"}), echo], METERED)
    mine = [
        p
        for p in points(reader).get("gen_ai.client.token.usage", [])
        if p.attributes["gen_ai.request.model"] == METERED
    ]
    sums: dict[tuple[str, str], int] = {}
    for point in mine:
        attributes = point.attributes
        assert attributes["gen_ai.operation.name"] == "realtime_inference"
        assert attributes["gen_ai.provider.name"] == "openai"
        key = (attributes["gen_ai.token.type"], attributes["rtagents.token.modality"])
        sums[key] = sums.get(key, 0) + point.sum
    tokens = usage.tokens
    assert sums == {
        key: count
        for key, count in {
            ("input", "text"): tokens.text_input,
            ("input", "audio"): tokens.audio_input,
            ("output", "text"): tokens.text_output,
            ("output", "audio"): tokens.audio_output,
        }.items()
        if count
    }
    assert sum(v for (kind, _), v in sums.items() if kind == "input") == usage.input_tokens
    # One point per response and kind: two responses, each with output text.
    assert (
        next(
            p
            for p in mine
            if p.attributes["rtagents.token.modality"] == "text"
            and p.attributes["gen_ai.token.type"] == "output"
        ).count
        == 2
    )


def test_a_call_span_carries_its_usage(spans: InMemorySpanExporter) -> None:
    from rtagents.tracing.calls import call_ended, call_span

    usage = rtagents.UsageRecord(
        {MODEL: rtagents.Tokens(text_input=7, audio_output=5)},
        seconds={"whisper-1": 3.0},
        responses=1,
    )
    with call_span("rtc_1", "sip") as span:
        call_ended(span, "ended", None, usage, Decimal("0.25"))
    with call_span("rtc_2", "sip") as span:
        call_ended(span, "rejected", "busy", rtagents.UsageRecord(), None)  # no usage: none
    first, second = spans.get_finished_spans()
    assert first.attributes["gen_ai.usage.input_tokens"] == 7
    assert first.attributes["rtagents.usage.output_audio_tokens"] == 5
    assert first.attributes["rtagents.usage.seconds"] == 3.0
    assert first.attributes["rtagents.usage.cost"] == 0.25
    assert not any(k.startswith(("gen_ai.usage", "rtagents.usage")) for k in second.attributes)
