"""A client delegation's span ends when the app's answer *to it* is on the session's
timeline (docs/tracing.md, On GPT-Live): the server's acknowledgement names our event
(``client_event_id``), and that event named its delegation (``delegation.answered``). With
two delegations in flight, the second answered first (its lookup was quicker) ends its own
span, not the first's; a progress update's commentary ends none."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio


async def test_each_client_delegation_span_ends_at_its_own_answer(
    spans: InMemorySpanExporter,
) -> None:
    calls = 0

    async def on_delegation(delegation: rtagents.Delegation) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            await anyio.sleep(1.5)  # the first lookup is slow
            return "Your order ships tomorrow."
        return "The store opens at nine."

    model = ScriptedModel([CallFunction("track", {}), CallFunction("hours", {})])
    agent = rtagents.Agent(name="shop", on_delegation=on_delegation)
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            await until(
                session, lambda seen: any(e.type == "session.delegation.created" for e in seen)
            )
            await speak(session)
            await until(
                session,
                lambda seen: sum(e.type == "session.commentary.appended" for e in seen) == 2,
            )
        first_id = next(
            f["delegation_id"]
            for f in emu.last.received
            if f["type"] == "session.commentary.append" and "ships" in f["content"]
        )
    delegations = {
        s.attributes["rtagents.delegation.id"]: s
        for s in spans.get_finished_spans()
        if s.name == "delegation"
    }
    first = delegations[first_id]
    # The first delegation was answered after its 1.5 s lookup: its span lasts that long.
    lasted = (first.end_time - first.start_time) / 1e9
    assert lasted >= 1.4, f"the first delegation's span ended after {lasted:.2f} s"
