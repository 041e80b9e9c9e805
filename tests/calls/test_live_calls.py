"""GPT-Live phone calls end to end, on loopback with real HTTP and websockets: the emulator
places a Live SIP call (``live.transport.incoming``), a CallServer under uvicorn accepts it
with the agent's Live configuration through the Live REST API, runs the agent's tools on a
sideband attached to the call's session, and hangs up through the Live REST API."""

from __future__ import annotations

import json
import time

import anyio
import httpx2
import pytest

import rtagents
from rtagents.calls import CallServer, IncomingCall, Reject, end_call
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import serve_asgi

from .harness import SECRET, answer, signed, wait_for

pytestmark = pytest.mark.anyio


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


async def test_a_live_call_is_accepted_runs_a_tool_and_is_hung_up_by_end_call() -> None:
    model = ScriptedModel(
        [CallFunction("get_weather", {"city": "Paris"}), answer, CallFunction("end_call"), "Bye."]
    )
    agent = rtagents.Agent(
        name="concierge", instructions="Help callers.", tools=[get_weather, end_call]
    )
    async with Emulator(model=model) as emu:
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(
                f"{url}/openai/webhook",
                SECRET,
                api="live",
                caller="+15551234",
                say=["What's the weather in Paris?", "Thanks, goodbye."],
            )
            assert call_id.startswith("live_")
            record = await wait_for(emu, call_id, "ended")  # end_call hung up (Live REST)
            with anyio.fail_after(5):
                while app.calls[call_id].state == "active":
                    await anyio.sleep(0.02)
        served = app.calls[call_id]
    assert record["webhook"]["status"] == 200
    assert (served.agent, served.state, str(served.caller.number)) == (
        "concierge",
        "ended",
        "+15551234",
    )
    # Accepted with the agent's Live configuration (the accept body the emulator took).
    accepted = emu.desk.calls[call_id].session
    assert accepted["model"] == agent.live.model
    assert accepted["instructions"] == "Help callers."
    backend = accepted["delegation"]["responses"]
    assert [t["name"] for t in backend["tools"]] == ["get_weather", "end_call"]
    # The tool ran here, on the sideband: its output reached the session.
    assert record["tool_calls"][0] == {
        "name": "get_weather",
        "arguments": json.dumps({"city": "Paris"}),
        "output": "sunny in Paris",
    }
    assert [c["name"] for c in record["tool_calls"]] == ["get_weather", "end_call"]
    assert record["transcript"][:3] == [
        {"role": "user", "text": "What's the weather in Paris?"},
        {"role": "assistant", "text": "It is sunny in Paris."},
        {"role": "user", "text": "Thanks, goodbye."},
    ]


async def test_the_older_webhook_name_is_taken_and_the_server_hangs_up() -> None:
    agent = rtagents.Agent(name="a", tools=[get_weather])
    async with Emulator() as emu:
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url, httpx2.AsyncClient() as client:
            # Rung to nowhere: the CallServer gets the call by its older name only.
            session_id = emu.place_call("http://127.0.0.1:9/nowhere", SECRET, api="live")
            body = json.dumps(
                {
                    "id": "evt_old",
                    "object": "event",
                    "created_at": int(time.time()),
                    "type": "live.call.incoming",
                    "data": {"session_id": session_id, "sip_headers": []},
                }
            )
            hook = f"{url}/openai/webhook"
            reply = await client.post(hook, content=body, headers=signed(body, event_id="e1"))
            assert reply.json() == {"status": "accepted"}
            await wait_for(emu, session_id, "accepted")
            with anyio.fail_after(5):
                while app.calls[session_id].session is None:
                    await anyio.sleep(0.02)
            await app.hangup(session_id)
            await wait_for(emu, session_id, "ended")
            # A session id that is not one is refused before anything is requested.
            bad = body.replace(session_id, "live_../../files")
            refused = await client.post(hook, content=bad, headers=signed(bad, event_id="e2"))
            assert refused.status_code == 400


async def test_a_router_rejects_a_live_call() -> None:
    def route(call: IncomingCall) -> rtagents.Agent | Reject:
        return Reject(status_code=486, reason="busy")

    async with Emulator() as emu:
        app = CallServer(route=route, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, api="live")
            record = await wait_for(emu, call_id, "rejected")
    assert record["sip_status"] == 486
    assert app.calls[call_id].state == "rejected"
