"""A response cut off by a dropped connection is over for the session's guardrails: on
the Realtime API the next connection is a new server session, and that response never
ends there. What the guardrails kept of it (the stream of its text, by item id, and the
response as active) is let go, so that a long session that reconnects now and then does
not keep the text of every answer a drop cut off."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import GuardrailResult, Guardrails
from rtagents.emulator import DropConnection, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

DROPS = 12


def passes(text: str) -> GuardrailResult:
    return GuardrailResult(tripped=False)


async def test_guardrail_streams_of_responses_cut_by_a_drop_are_let_go() -> None:
    agent = rtagents.Agent(
        name="guarded",
        output_modalities=["text"],
        guardrails=Guardrails(output=[passes], every_chars=10_000, every_ms=60_000),
        tracing=None,
    )
    answer = "a long answer that the drop cuts off " * 20
    # Every connection drops at its response's third text delta: a long answer is cut off,
    # and the short one asked for again on the next connection completes.
    fault = DropConnection(after="response.output_text.delta", nth=3)
    settings = rtagents.Reconnect(attempts=3, backoff=0.01, jitter=0, healthy_after=0.05)
    reconnected = 0
    async with Emulator(model=ScriptedModel([answer, "Ok."] * DROPS), faults=[fault]) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=settings) as session:
            with anyio.fail_after(25):
                for i in range(DROPS):
                    await session.send_text(f"message {i}")
                    async for event in session:
                        if event.type == "session.reconnected":
                            reconnected += 1
                        elif event.type == "response.done" and reconnected == i + 1:
                            break  # the short answer, on the new connection
                        assert event.type != "session.closed", event
                    else:
                        pytest.fail("the session ended before the answer on the new connection")
            await anyio.sleep(0.2)
            core = session._runner.guards._core
            assert core is not None
            streams, active = dict(core._streams), set(core._active)
    assert reconnected == DROPS
    kept = sum(len(s.text) for s in streams.values())
    assert not streams and not active, (
        f"{len(streams)} streams ({kept} characters of cut-off answers) and {len(active)} "
        f"responses kept as active after {DROPS} drops"
    )
