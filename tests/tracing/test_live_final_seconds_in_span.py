"""When the app closes a GPT-Live session, the ``session.closed`` that answers its
``session.close`` brings the final total of seconds: the meter counts it into
``session.usage`` (and ``session.cost``) without a ``usage.updated`` event, but the session's
``invoke_agent`` span takes its totals only from ``usage.updated`` events. The span then ends
with fewer seconds (and a smaller cost) than ``session.usage``, though docs/usage.md says the
span carries "the same for the whole session", read from the same records."""

from __future__ import annotations

from decimal import Decimal

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import Prices
from rtagents.emulator import Emulator, Say, ScriptedModel, audio
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio


async def test_the_session_span_has_the_final_seconds_the_app_close_counted(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="live-span", instructions="Greet.")
    prices = {agent.live.model: Prices(per_minute="0.10")}
    async with Emulator(model=ScriptedModel([Say("Hello there.")])) as emu:
        async with rtagents.connect(
            agent, url=emu.live_url, api="live", reconnect=None, prices=prices
        ) as s:
            await speak(s)
            await until(s, lambda seen: seen[-1].type == "usage.updated")
            await s.send_audio(audio.silence(5000).tobytes())
            told = s.usage.seconds[agent.live.model]
    final = s.usage.seconds[agent.live.model]
    assert final > told  # the close's session.closed brought more seconds
    [session] = [x for x in spans.get_finished_spans() if x.name == "invoke_agent live-span"]
    assert session.attributes["rtagents.usage.seconds"] == final
    assert s.cost == Decimal("0.10") * Decimal(str(final)) / 60
    assert session.attributes["rtagents.usage.cost"] == float(s.cost)
