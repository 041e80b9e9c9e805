"""``CallServer(agent=..., prices=Prices(...))``: "one ``Prices`` for ``agent=``'s model".
A GPT-Live SIP call runs on the agent's Live model (``agent.live.model``: it is accepted
with it, and its seconds are counted under it), but the server keys the one ``Prices``
under ``agent.model`` (the Realtime model) whatever the call's API. The call's record then
says ``cost is None`` and the log warns "model 'gpt-live-1' has no prices", although the
app stated the only price the call needs. ``connect(agent, api="live", prices=Prices(...))``
keys the same ``Prices`` under the Live model and gives the figure."""

from __future__ import annotations

from decimal import Decimal

import anyio
import pytest

import rtagents
from rtagents import Prices
from rtagents.calls import CallServer
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, wait_for

pytestmark = pytest.mark.anyio


async def test_a_live_calls_cost_uses_the_one_prices_given() -> None:
    agent = rtagents.Agent(name="greeter", instructions="Greet the caller.")
    async with Emulator(model=ScriptedModel(["Hello, how can I help?"])) as emu:
        app = CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            prices=Prices(per_minute="0.10"),  # one Prices: the agent's (Live) model's
        )
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, api="live", say=["Hi."])
            await wait_for(emu, call_id, "accepted")
            with anyio.fail_after(10):
                while True:
                    session = app.calls[call_id].session
                    if session is not None and session.usage.seconds:
                        break
                    await anyio.sleep(0.05)
            await app.hangup(call_id)
            await wait_for(emu, call_id, "ended")
            with anyio.fail_after(10):
                while app.calls[call_id].state not in ("ended", "failed"):
                    await anyio.sleep(0.02)
            record = app.calls[call_id]
    seconds = record.usage.seconds[agent.live.model]
    assert seconds > 0 and not record.usage.models  # seconds only: all priced by per_minute
    assert record.cost == Decimal("0.10") * Decimal(str(seconds)) / 60
