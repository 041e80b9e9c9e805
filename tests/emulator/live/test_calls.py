"""A simulated GPT-Live SIP call over real sockets: the emulator posts a signed
``live.transport.incoming`` webhook, the Live REST API accepts (rejects, refers, hangs up) it,
and a sideband attaches to its session at ``/v1/live/sessions/{id}/attach``; the openai SDK
judges the webhook, the REST calls and every frame."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from openai import AsyncOpenAI
from openai.types.webhooks import LiveTransportIncomingWebhookEvent
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from websockets.exceptions import InvalidStatus

from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.testing import serve_asgi

from .sansio import WEATHER, responses
from .wire import LiveWire

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


@asynccontextmanager
async def webhook_sink() -> AsyncIterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """An app that takes webhooks (200) and keeps them; its URL and what it got."""
    got: list[tuple[dict[str, str], bytes]] = []

    async def hook(request: Request) -> JSONResponse:
        got.append((dict(request.headers), await request.body()))
        return JSONResponse({})

    async with serve_asgi(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield f"{url}/hook", got


async def webhook(got: list[tuple[dict[str, str], bytes]]) -> dict[str, Any]:
    with anyio.fail_after(5):
        while not got:
            await anyio.sleep(0.01)
    headers, body = got[0]
    verified: dict[str, Any] = Webhook(SECRET).verify(body, headers)
    return verified


def accept_body(**extra: Any) -> dict[str, Any]:
    session = {"type": "live", "model": "gpt-live-1", "instructions": "Help callers."}
    return {"session": {**session, "delegation": responses(WEATHER), **extra}}


def answer(ctx: ModelContext) -> str:
    return f"It is {ctx.pending_outputs[0]['output']}."


async def test_a_live_call_rings_is_accepted_attached_and_hung_up() -> None:
    model = ScriptedModel([CallFunction("get_weather", {"city": "Paris"}), answer])
    async with (
        webhook_sink() as (hook, got),
        Emulator(model=model, api_key="sk-k") as emu,
        AsyncOpenAI(api_key="sk-k", base_url=emu.http_url) as openai,
    ):
        async with httpx2.AsyncClient(headers={"Authorization": "Bearer sk-k"}) as http:
            placed = await http.post(
                f"{emu.http_url}/emulator/calls",
                json={
                    "webhook_url": hook,
                    "webhook_secret": SECRET,
                    "api": "live",
                    "from": "+15551234",
                    "say": ["What's the weather in Paris?"],
                },
            )
        session_id = placed.json()["call_id"]
        assert session_id.startswith("live_")
        event = await webhook(got)
        LiveTransportIncomingWebhookEvent.model_validate(event)  # the SDK reads it
        assert event["type"] == "live.transport.incoming"
        assert event["data"]["type"] == "sip" and event["data"]["session_id"] == session_id
        assert any("+15551234" in h["value"] for h in event["data"]["sip_headers"])

        attach = f"{emu.live_url}/{session_id}/attach"
        with pytest.raises(InvalidStatus) as ringing:  # not accepted yet
            await LiveWire.open(attach, key="sk-k")
        assert ringing.value.response.status_code == 404
        with pytest.raises(InvalidStatus) as unknown:
            await LiveWire.open(f"{emu.live_url}/live_nope/attach", key="sk-k")
        assert unknown.value.response.status_code == 404
        with pytest.raises(InvalidStatus) as keyless:
            await LiveWire.open(attach, key="sk-wrong")
        assert keyless.value.response.status_code == 401

        await openai.live.sessions.accept(session_id, session=accept_body()["session"])
        assert emu.desk.calls[session_id].session["instructions"] == "Help callers."
        sideband = await LiveWire.open(attach, key="sk-k")
        update = {"delegation": responses(WEATHER)}
        await sideband.send({"type": "session.update", "event_id": "u1", "session": update})
        updated = await sideband.next()
        assert updated["type"] == "session.updated"
        assert updated["session"]["model"] == "gpt-live-1"  # the session the accept started
        assert updated["session"]["instructions"] == "Help callers."

        # The caller speaks once the sideband configured the session: the model delegates.
        events = await sideband.until(
            lambda e: (
                e["type"] == "response.event" and e["event"]["type"] == "response.output_item.done"
            )
        )
        call = events[-1]["event"]["item"]
        assert call["name"] == "get_weather"
        heard = [e["delta"] for e in events if e["type"] == "session.input_transcript.delta"]
        assert "".join(heard) == "What's the weather in Paris?"
        output = {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"}
        await sideband.send({"type": "response.item.create", "item": output})
        await sideband.send({"type": "response.create"})
        await sideband.until("session.usage.updated")

        await openai.live.sessions.hangup(session_id)
        closed = await sideband.until("session.closed")
        assert closed[-1]["reason"] == "close_requested"
        with anyio.fail_after(5):
            await sideband.ws.wait_closed()
        assert sideband.ws.close_code == 1000
        record = await http_get(emu, session_id)
        assert record["status"] == "ended"
        assert record["transcript"] == [
            {"role": "user", "text": "What's the weather in Paris?"},
            {"role": "assistant", "text": "It is sunny."},
        ]
        assert record["tool_calls"] == [
            {"name": "get_weather", "arguments": '{"city": "Paris"}', "output": "sunny"}
        ]


async def http_get(emu: Emulator, call_id: str) -> dict[str, Any]:
    async with httpx2.AsyncClient(headers={"Authorization": "Bearer sk-k"}) as http:
        record: dict[str, Any] = (await http.get(f"{emu.http_url}/emulator/calls/{call_id}")).json()
    return record


async def test_the_live_rest_api_checks_bodies_and_states() -> None:
    async with webhook_sink() as (hook, got), Emulator(api_key="sk-k") as emu:
        session_id = emu.place_call(hook, SECRET, api="live")
        await webhook(got)
        base = f"{emu.http_url}/live/sessions/{session_id}"
        async with httpx2.AsyncClient(headers={"Authorization": "Bearer sk-k"}) as http:
            bad = await http.post(f"{base}/accept", json={"session": {"type": "realtime"}})
            assert bad.status_code == 400
            assert bad.json()["error"]["type"] == "invalid_request_error"
            # A Realtime call's routes do not take a Live session, nor the other way round.
            wrong = await http.post(f"{emu.http_url}/realtime/calls/{session_id}/accept", json={})
            assert wrong.status_code == 404
            rtc = emu.place_call(hook, SECRET)
            assert (
                await http.post(f"{emu.http_url}/live/sessions/{rtc}/hangup")
            ).status_code == 404
            refused = await http.post(f"{base}/reject", json={"status_code": 42})
            assert refused.status_code == 400
            ok = await http.post(f"{base}/reject", json={"status_code": 486})
            assert ok.status_code == 200
            again = await http.post(f"{base}/accept", json=accept_body())
            assert again.status_code == 400  # rejected, no longer ringing
        record = await http_get(emu, session_id)
        assert (record["status"], record["sip_status"]) == ("rejected", 486)


async def test_a_live_call_is_referred() -> None:
    async with (
        webhook_sink() as (hook, got),
        Emulator() as emu,
        AsyncOpenAI(api_key="sk-x", base_url=emu.http_url) as openai,
    ):
        session_id = emu.place_call(hook, SECRET, api="live")
        await openai.live.sessions.accept(session_id, session=accept_body()["session"])
        sideband = await LiveWire.open(f"{emu.live_url}/{session_id}/attach")
        await sideband.send({"type": "session.start", "session": {"model": "gpt-live-1"}})
        error = await sideband.next()  # the session exists: a sideband never starts it
        assert error["type"] == "error"
        assert error["error"]["code"] == "session_already_started"
        await openai.live.sessions.refer(session_id, target_uri="tel:+15550000")
        closed = await sideband.until("session.closed")
        assert closed[-1]["reason"] == "close_requested"
        record = await http_get(emu, session_id)
        assert (record["status"], record["refer_to"]) == ("referred", "tel:+15550000")
        assert json.loads(got[0][1])["type"] == "live.transport.incoming"


async def test_connect_attaches_a_sideband_to_a_live_call() -> None:
    """``rtagents.connect(agent, api="live", call_id=...)``: the agent's tools on a Live
    call's session, configured with ``session.update`` (never ``session.start``)."""
    import rtagents

    @rtagents.tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"sunny in {city}"

    agent = rtagents.Agent(name="concierge", instructions="Help callers.", tools=[get_weather])
    model = ScriptedModel([CallFunction("get_weather", {"city": "Paris"}), answer])
    async with (
        webhook_sink() as (hook, got),
        Emulator(model=model) as emu,
        AsyncOpenAI(api_key="sk-x", base_url=emu.http_url) as openai,
    ):
        session_id = emu.place_call(hook, SECRET, api="live", say=["Weather in Paris?"])
        await openai.live.sessions.accept(session_id, session=accept_body()["session"])
        async with rtagents.connect(agent, api="live", url=emu.live_url, call_id=session_id) as s:
            with anyio.fail_after(10):
                while not emu.desk.calls[session_id].transcript[1:]:
                    await anyio.sleep(0.02)
            assert s.api == "live"
        [sideband] = emu.desk.calls[session_id]._sidebands
        sent = [e["type"] for e in sideband.received]
        assert "session.start" not in sent and sent[0] == "session.update"
        record = await http_get(emu, session_id)
    assert record["tool_calls"][0]["output"] == "sunny in Paris"
    assert record["transcript"][1] == {"role": "assistant", "text": "It is sunny in Paris."}
