"""A GPT-Live SIP call whose sideband drops goes on once the sideband attaches again (DESIGN,
reconnect: "A sideband session re-attaches to its call"; docs/live.md: a sideband's
"session is the SIP call's"; docs/emulator.md, GPT-Live: an attached connection "goes on
from where" the session was, and "the session's work goes on on it where the drop left
it").

The emulator serves a sideband that attaches again to a Live call with a *new* session
(``open_live_connection`` -> ``desk.attach`` -> ``phone.attach`` -> ``core.accepted``: a
fresh ``LiveCore``, another ``sess_...`` id, an empty conversation), while the call's own
session, with the work under way at the drop (the caller's turn, the delegation waiting for
its output), is kept as a dropped primary would be (``KeptSessions.keep``), under an id no
one attaches to. The simulated caller spoke into the dropped session, so the call stalls
for ever: its turn is never answered and the call never ends. Without the drop the same
call runs its tool, answers and is hung up by ``end_call``."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.calls import CallServer, end_call
from rtagents.emulator import CallFunction, DropConnection, Emulator, ScriptedModel
from rtagents.testing import serve_asgi

from .harness import SECRET, answer, wait_for

pytestmark = pytest.mark.anyio


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


async def call(drop: bool) -> dict:
    model = ScriptedModel(
        [CallFunction("get_weather", {"city": "Paris"}), answer, CallFunction("end_call"), "Bye."]
    )
    agent = rtagents.Agent(name="concierge", tools=[get_weather, end_call])
    # The call's (first) sideband drops once the Live model has delegated the caller's
    # question (a fault every connection gets; the caller says nothing to a later one).
    faults = [DropConnection(after="session.delegation.created")] if drop else []
    async with Emulator(model=model, faults=faults) as emu:
        app = CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            drain_timeout=0.5,
        )
        async with serve_asgi(app) as url:
            call_id = emu.place_call(
                f"{url}/openai/webhook",
                SECRET,
                api="live",
                say=["What's the weather in Paris?", "Thanks, goodbye."],
            )
            try:
                record = await wait_for(emu, call_id, "ended", timeout=6)
            except TimeoutError:
                pytest.fail(
                    f"the call never ended: {emu.desk.calls[call_id].status}, heard "
                    f"{emu.desk.calls[call_id].transcript}; sideband sessions "
                    f"{[c.core.session.get('id') for c in emu.connections]}"
                )
    return record


async def test_without_a_drop_the_call_is_answered_and_hung_up() -> None:
    record = await call(drop=False)
    assert record["transcript"][1] == {"role": "assistant", "text": "It is sunny in Paris."}


async def test_a_call_whose_sideband_dropped_is_answered_and_hung_up() -> None:
    record = await call(drop=True)
    assert record["transcript"][1] == {"role": "assistant", "text": "It is sunny in Paris."}
