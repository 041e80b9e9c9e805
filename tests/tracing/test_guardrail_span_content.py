"""A guardrail's span without the content opt-in: what the user said stays out of it.

tracing.md: content (a call's arguments, its failure message, an approval error's message)
is recorded only with ``trace_content``, because it may hold personal data; an error's
message "may quote the arguments". A guardrail is given the user's words (or the
assistant's), and its failure's message, or what it answered instead of a verdict, quotes
them as often: the guardrail span's ``rtagents.guardrail.reason``, its status and the
``guardrail.tripped`` event on the response record that text, opt-in or not."""

from __future__ import annotations

import json

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import GuardrailResult, Guardrails
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
CARD = "4111 1111 1111 1111"


def classify(text: str) -> GuardrailResult:
    raise ValueError(f"the classifier refused the message {text!r}")


def returns_the_text(text: str) -> GuardrailResult:
    return text  # type: ignore[return-value]  # a slip: the text, not a verdict


@pytest.mark.parametrize("check", [classify, returns_the_text])
async def test_the_users_words_stay_out_of_guardrail_spans_without_the_opt_in(
    spans: InMemorySpanExporter, check: object
) -> None:
    agent = rtagents.Agent(name="desk", guardrails=Guardrails(input=[check]))  # type: ignore[list-item]
    model = ScriptedModel(["We can help with that."])
    async with Emulator(model=model, realtime=True, audio_chunk_ms=100) as emulator:
        async with rtagents.connect(agent, url=emulator.url, trace_content=False) as session:
            await session.send_text(f"My card number is {CARD}, please charge it.")
            with anyio.fail_after(15):
                async for event in session:
                    if event.type == "guardrail.tripped":
                        assert CARD in event.reason  # the app's event has it: that is fine
                        break
                else:
                    pytest.fail("the session ended before the guardrail tripped")
    finished = spans.get_finished_spans()
    assert [s for s in finished if s.name.startswith("guardrail ")]
    recorded = json.dumps(
        [
            {
                "name": s.name,
                "attributes": dict(s.attributes or {}),
                "status": s.status.description,
                "events": [(e.name, dict(e.attributes or {})) for e in s.events],
            }
            for s in finished
        ],
        default=str,
    )
    where = [
        (s.name, k)
        for s in finished
        for k, v in [
            *dict(s.attributes or {}).items(),
            ("status", s.status.description),
            *[(e.name, json.dumps(dict(e.attributes or {}))) for e in s.events],
        ]
        if CARD in str(v)
    ]
    assert CARD not in recorded, where
