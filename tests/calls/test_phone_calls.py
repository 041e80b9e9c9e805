"""Phone calls end to end, all on loopback with real HTTP and websockets: the emulator places
a call, posts OpenAI's signed webhook to a CallServer under uvicorn, which accepts the call
with the agent's configuration and runs its tools on a sideband session."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from typing import Any

import anyio
import httpx2
import pytest
from openai import AsyncOpenAI
from standardwebhooks.webhooks import Webhook

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, ask
from rtagents.calls import CallServer, IncomingCall, Reject, end_call, transfer_call
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel
from rtagents.testing import serve_asgi

from .harness import SECRET, call_whose_sideband_drops, wait_for, weather_then_goodbye

pytestmark = pytest.mark.anyio


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def phone_app(emu: Emulator, **options: Any) -> CallServer:
    """A calls server for the emulator's phone, with the test's webhook secret."""
    return CallServer(webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url, **options)


async def place_weather_call(emu: Emulator, url: str) -> str:
    """A call from +15551234 asking for the weather in Paris, then saying goodbye, placed
    through the emulator's HTTP API to the CallServer at ``url``; its call id."""
    async with httpx2.AsyncClient() as client:
        placed = await client.post(
            f"{emu.http_url}/emulator/calls",
            json={
                "webhook_url": f"{url}/openai/webhook",
                "webhook_secret": SECRET,
                "from": "+15551234",
                "to": "+15559876",
                "say": ["What's the weather in Paris?", "Thanks, goodbye."],
            },
        )
    call_id: str = placed.json()["call_id"]
    return call_id


async def test_a_call_is_answered_runs_a_tool_and_hangs_up() -> None:
    model = weather_then_goodbye()
    agent = rtagents.Agent(
        name="concierge", instructions="Help callers.", tools=[get_weather, end_call]
    )
    async with Emulator(model=model) as emu:
        app = phone_app(emu, agent=agent)
        async with serve_asgi(app) as url:
            call_id = await place_weather_call(emu, url)
            record = await wait_for(emu, call_id, "ended")
            assert app.calls[call_id].agent == "concierge"
    assert record["webhook"]["status"] == 200
    assert record["from"] == "+15551234"
    assert record["transcript"][:3] == [
        {"role": "user", "text": "What's the weather in Paris?"},
        {"role": "assistant", "text": "It is sunny in Paris."},
        {"role": "user", "text": "Thanks, goodbye."},
    ]
    assert [c["name"] for c in record["tool_calls"]] == ["get_weather", "end_call"]
    assert record["tool_calls"][0]["output"] == "sunny in Paris"
    # Accepted with the agent's own configuration.
    assert emu.desk.calls[call_id].session["instructions"] == "Help callers."


def signed(body: str, *, event_id: str = "evt_1", at: datetime | None = None) -> dict[str, str]:
    when = at or datetime.now(timezone.utc)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(event_id, when, body),
        "content-type": "application/json",
    }


def incoming(call_id: str) -> str:
    return json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "created_at": int(time.time()),
            "type": "realtime.call.incoming",
            "data": {"call_id": call_id, "sip_headers": [{"name": "From", "value": "+1555"}]},
        }
    )


async def test_bad_signatures_stale_timestamps_and_replays_are_refused() -> None:
    agent = rtagents.Agent(name="a")
    async with Emulator() as emu:
        app = phone_app(emu, agent=agent)
        async with serve_asgi(app) as url, httpx2.AsyncClient() as client:
            hook = f"{url}/openai/webhook"
            body = incoming("rtc_nope")
            forged = {**signed(body), "webhook-signature": "v1,AAAA"}
            assert (await client.post(hook, content=body, headers=forged)).status_code == 400
            stale = signed(body, at=datetime.fromtimestamp(time.time() - 3600, timezone.utc))
            assert (await client.post(hook, content=body, headers=stale)).status_code == 400
            unsigned = {"content-type": "application/json"}
            assert (await client.post(hook, content=body, headers=unsigned)).status_code == 400
            assert app.calls == {}
            first = await client.post(hook, content=body, headers=signed(body, event_id="evt_9"))
            again = await client.post(hook, content=body, headers=signed(body, event_id="evt_9"))
            assert first.status_code == again.status_code == 200
            assert again.json() == {"status": "duplicate"}
            assert list(app.calls) == ["rtc_nope"]  # handled once


async def test_a_router_rejects_by_caller_number() -> None:
    def route(call: IncomingCall) -> rtagents.Agent | Reject:
        if "666" in (call.caller.number or ""):
            return Reject(status_code=486, reason="blocked number")
        return rtagents.Agent(name="a")

    async with Emulator() as emu:
        app = phone_app(emu, route=route)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, caller="+1555666")
            record = await wait_for(emu, call_id, "rejected")
    assert record["sip_status"] == 486
    assert app.calls[call_id].state == "rejected"


@pytest.mark.parametrize("approve", [False, True])
async def test_a_transfer_goes_through_the_approval_policy(approve: bool) -> None:
    async def supervisor(request: ApprovalRequest) -> bool:
        return approve

    model = ScriptedModel([CallFunction("transfer_call", {"target_uri": "tel:+15550000"}), "OK."])
    agent = rtagents.Agent(
        name="desk",
        tools=[transfer_call],
        approval=ApprovalPolicy(rules=[ask(tool="transfer_call")], handler=supervisor),
    )
    async with Emulator(model=model) as emu:
        app = phone_app(
            emu,
            agent=agent,
            drain_timeout=0,  # a declined transfer leaves the call up: no need to wait for it
        )
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, say=["Put me through."])
            if approve:
                record = await wait_for(emu, call_id, "referred")
                assert record["refer_to"] == "tel:+15550000"
            else:
                record = await wait_for(emu, call_id, "accepted")
                with anyio.fail_after(10):
                    while not any(t["output"] for t in record["tool_calls"]):
                        await anyio.sleep(0.02)
                        record = await wait_for(emu, call_id, "accepted")
                assert record["refer_to"] is None
                assert "declined" in record["tool_calls"][0]["output"].lower() or "denied" in (
                    record["tool_calls"][0]["output"].lower()
                )


async def test_the_openai_sdk_calls_api_works_against_the_emulator() -> None:
    async with Emulator() as emu:
        async with AsyncOpenAI(api_key="sk-x", base_url=emu.http_url) as client:
            statuses, secret = await drive_the_sdk(client, emu)
    assert statuses == ["accepted", "rejected", "referred", "ended"]
    assert secret.value.startswith("ek_")


async def drive_the_sdk(client: AsyncOpenAI, emu: Emulator) -> tuple[list[str], Any]:
    ringing = [emu.place_call("http://127.0.0.1:9/none", SECRET) for _ in range(4)]
    await client.realtime.calls.accept(ringing[0], type="realtime", instructions="Hi.")
    await client.realtime.calls.reject(ringing[1], status_code=486)
    await client.realtime.calls.accept(ringing[2], type="realtime")
    await client.realtime.calls.refer(ringing[2], target_uri="tel:+15550000")
    await client.realtime.calls.accept(ringing[3], type="realtime")
    await client.realtime.calls.hangup(ringing[3])
    secret = await client.realtime.client_secrets.create(
        session={"type": "realtime", "instructions": "Be kind."}
    )
    return [emu.desk.calls[c].status for c in ringing], secret


async def test_a_supervisor_approves_a_transfer_by_call_id() -> None:
    model = ScriptedModel([CallFunction("transfer_call", {"target_uri": "tel:+15550001"}), "OK."])
    agent = rtagents.Agent(name="desk", tools=[transfer_call])  # no handler: the UI answers
    async with Emulator(model=model) as emu:
        app = phone_app(emu, agent=agent)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, say=["Transfer me."])
            with anyio.fail_after(10):
                while True:
                    session = app.calls.get(call_id) and app.calls[call_id].session
                    if session is not None and session.pending_approvals:
                        break
                    await anyio.sleep(0.02)
            [request] = session.pending_approvals
            assert await app.approve(call_id, request.id)
            record = await wait_for(emu, call_id, "referred")
    assert record["refer_to"] == "tel:+15550001"


class Forecaster:
    """Calls the weather tool, then answers from its output."""

    def respond(self, ctx: ModelContext) -> list[Any]:
        if any(i.get("type") == "function_call_output" for i in ctx.items):
            return [Say("It is sunny.")]
        return [CallFunction("get_weather", {"city": "Oslo"})]


async def test_a_hundred_calls_at_once_are_all_answered() -> None:
    agent = rtagents.Agent(name="many", tools=[get_weather], output_modalities=["text"])
    async with Emulator(model=Forecaster(), record=50) as emu:
        app = phone_app(
            emu,
            agent=agent,
            drain_timeout=0,  # the calls are still up at the end: close them, do not wait
        )
        async with serve_asgi(app) as url:
            hook = f"{url}/openai/webhook"
            ids = [emu.place_call(hook, SECRET, say=["Weather?"]) for _ in range(100)]
            with anyio.fail_after(60):
                while not all(
                    any(t["role"] == "assistant" for t in emu.desk.calls[c].transcript) for c in ids
                ):
                    await anyio.sleep(0.05)
            states = {app.calls[c].state for c in ids}
            # (read while the calls are up: the emulator keeps only the latest ended ones)
            outputs = [t["output"] for c in ids for t in emu.desk.calls[c].tool_calls]
    assert states == {"active"}
    assert outputs == ["sunny in Oslo"] * 100


async def test_a_sync_router_that_blocks_leaves_the_server_running() -> None:
    # A router may look the caller up in a slow system: a sync one runs in a worker thread,
    # so the server (this event loop) goes on while it waits. Here the loop itself lets it go.
    started, release = threading.Event(), threading.Event()

    def route(call: IncomingCall) -> rtagents.Agent | Reject:
        started.set()
        if release.wait(3):
            return rtagents.Agent(name="looked up")
        return Reject(status_code=486, reason="the loop never ran")

    async with Emulator() as emu:
        app = phone_app(
            emu,
            route=route,
            drain_timeout=0,  # the call is still up at the end: close it, do not wait
        )
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                while not started.is_set():
                    await anyio.sleep(0.01)
            release.set()
            record = await wait_for(emu, call_id, "accepted")
    assert record["sip_status"] is None
    assert app.calls[call_id].agent == "looked up"


@pytest.mark.parametrize("broken", ["raises", "returns junk"])
async def test_a_router_that_fails_rejects_the_call(broken: str) -> None:
    def route(call: IncomingCall) -> Any:
        if broken == "raises":
            raise LookupError("the CRM is down")
        return "not an agent"

    async with Emulator() as emu:
        app = phone_app(emu, route=route)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            record = await wait_for(emu, call_id, "rejected")
    assert record["sip_status"] == 480
    assert app.calls[call_id].state == "failed"


async def test_a_sideband_that_reconnects_finds_the_calls_conversation() -> None:
    """A SIP call's session lives on the server: a sideband dropped mid-call and opened again
    finds the same session and conversation there, and gives back only the output it sent
    while offline, once."""
    call = await call_whose_sideband_drops()
    record = call.record
    first, second = call.sidebands
    assert first.session["id"] == second.session["id"]  # one session, on the server
    items = second.conversation.items
    kinds = [(i.get("type"), i.get("role")) for i in items]
    assert kinds[:3] == [
        ("message", "user"),
        ("function_call", None),
        ("function_call_output", None),
    ]
    outputs = [i for i in items if i.get("type") == "function_call_output"]
    assert len([o for o in outputs if o["output"] == "sunny in Paris"]) == 1
    assert record["transcript"][:2] == [
        {"role": "user", "text": "What's the weather in Paris?"},
        {"role": "assistant", "text": "It is sunny in Paris."},
    ]
