"""A span processor that raises on the ``realtime_call`` span (a vendor's, with a bug) must
cost that span only: docs/tracing.md says "the session, its calls and ``connect`` go on as
they would untraced". Today the call is never answered: ``call_span`` starts and ends its
span unguarded, outside the lifecycle's ``try``."""

from __future__ import annotations

import pytest
from anyio import fail_after as anyio_fail_after
from anyio import sleep as anyio_sleep

import rtagents
from rtagents.calls import CallServer, end_call
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import serve_asgi

from ..calls.harness import SECRET, answer, wait_for

pytestmark = pytest.mark.anyio


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@pytest.mark.parametrize(
    "broken",
    [("start", "realtime_call"), ("end", "realtime_call")],
    indirect=True,
    ids=["start", "end"],
)
async def test_a_raising_processor_on_the_call_span_costs_the_call_nothing(broken) -> None:
    agent = rtagents.Agent(name="concierge", tools=[get_weather, end_call])
    turns = [CallFunction("get_weather", {"city": "Paris"}), answer, CallFunction("end_call")]
    async with Emulator(model=ScriptedModel(turns * 2)) as emu:
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url:
            # Two calls, one after the other: the server still answers the second.
            for _ in range(2):
                call_id = emu.place_call(
                    f"{url}/openai/webhook", SECRET, say=["Weather in Paris?", "Thanks, bye."]
                )
                record = await wait_for(emu, call_id, "ended", timeout=5)
                with anyio_fail_after(5):
                    while call_id not in app.calls or app.calls[call_id].state == "active":
                        await anyio_sleep(0.02)
                call = app.calls[call_id]
                assert [c["name"] for c in record["tool_calls"]] == ["get_weather", "end_call"]
                assert call.state == "ended", (call.state, call.reason)
