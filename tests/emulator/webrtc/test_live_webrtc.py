"""GPT-Live over WebRTC (``POST /v1/live/sessions`` with the offer), through the same peer
shell as Realtime, with ``LiveCore``: the openai SDK creates the session, the browser's
channel gets Live's events (each valid by the SDK's types), its speech takes a turn, a
delegated tool call is answered over the channel, the answer is heard over RTP."""

from __future__ import annotations

import asyncio
import json
import wave
from typing import Any

import anyio
import httpx2
import pytest
from aiortc import RTCSessionDescription
from openai import AsyncOpenAI
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from tests.speech import espeak, sox

from ..live.oracle import check_server, inner
from ..live.sansio import WEATHER, responses
from ..live.wire import completed
from .client import Browser
from .test_webrtc_calls import client_secret

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("speech")
    raw = espeak("What is the weather in Paris?", folder / "raw.wav")
    wav = sox(raw, folder / "48k.wav", "-r", "48000", "-c", "1", "-b", "16")
    with wave.open(str(wav), "rb") as w:
        return w.readframes(w.getnframes())


def answer(ctx: ModelContext) -> str:
    return f"It is {ctx.pending_outputs[0]['output']} in Paris."


async def test_a_live_session_over_webrtc(spoken: bytes) -> None:
    model = ScriptedModel([CallFunction("get_weather", {"city": "Paris"}), answer])
    asked = "What's the weather in Paris?"
    async with Emulator(model=model, transcribe=lambda data, ms: asked) as emu:
        browser = Browser()
        try:
            await browser.offer()
            async with AsyncOpenAI(base_url=emu.http_url, api_key="sk-any") as client:
                created = await client.live.create(
                    session={"model": "gpt-live-1", "delegation": responses(WEATHER)},  # type: ignore[typeddict-item]
                    transport={"type": "webrtc", "sdp": browser.pc.localDescription.sdp},
                )
            session_id = created.session.id
            assert session_id.startswith("live_")
            await browser.pc.setRemoteDescription(
                RTCSessionDescription(created.transport.sdp, "answer")
            )
            await asyncio.wait_for(browser.opened.wait(), 10)
            started = await browser.until("session.started")
            assert started[-1]["session"]["model"] == "gpt-live-1"

            browser.mic.say(spoken)
            events = await browser.until(completed, timeout=20)
            said = [e for e in events if e["type"] == "session.input_transcript.delta"]
            assert "".join(e["delta"] for e in said) == asked
            call = inner(events, "response.output_item.done")[0]["item"]
            assert call["name"] == "get_weather"
            item = {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"}
            browser.send({"type": "response.item.create", "item": item})
            browser.send({"type": "response.create"})
            answered = await browser.until("session.usage.updated", timeout=20)
            spoken_back = [e for e in answered if e["type"] == "session.output_transcript.delta"]
            assert "".join(e["delta"] for e in spoken_back) == "It is sunny in Paris."
            for event in started + events + answered:
                check_server(event)
            # Over WebRTC the audio is on the track, not on the channel.
            kinds = {e["type"] for e in started + events + answered}
            assert "session.output_audio.delta" not in kinds
            await browser.hears(0.02)  # speech, not silence, reaches the speaker

            # A sideband attaches to the same session: what it sends acts on it.
            attach = f"{emu.live_url}/{session_id}/attach"
            async with ws_connect(attach) as sideband:
                update = {"delegation": responses(WEATHER, instructions="Be brief.")}
                await sideband.send(json.dumps({"type": "session.update", "session": update}))
                updated = await browser.until("session.updated")
                check_server(updated[-1])
                with anyio.fail_after(10):  # the sideband sees the session's events too
                    while json.loads(await sideband.recv())["type"] != "session.updated":
                        pass
                async with httpx2.AsyncClient() as http:
                    hung = await http.post(
                        f"{emu.http_url}/live/sessions/{session_id}/hangup",
                        headers={"Authorization": "Bearer sk-any"},
                    )
                assert hung.status_code == 200, hung.text
                last: dict[str, Any] = {}
                with pytest.raises(ConnectionClosed):
                    with anyio.fail_after(10):
                        while True:
                            last = json.loads(await sideband.recv())
                # Hung up by the app: the session's last event says so, as on a SIP call.
                assert (last["type"], last.get("reason")) == ("session.closed", "close_requested")
            closed = await browser.until("session.closed")
            check_server(closed[-1])
            await asyncio.wait_for(browser.channel_closed.wait(), 10)
            assert emu.desk.calls[session_id].public()["status"] == "ended"
        finally:
            await browser.close()


async def test_a_bad_live_request_is_a_400() -> None:
    async with Emulator() as emu:
        async with httpx2.AsyncClient(headers={"Authorization": "Bearer sk-x"}) as http:
            for body in ({"session": {"model": "gpt-live-1"}}, {"transport": {"sdp": "v=0"}}):
                reply = await http.post(f"{emu.http_url}/live/sessions", json=body)
                assert reply.status_code == 400, reply.text
                assert reply.json()["error"]["message"].startswith("Invalid '")
        assert emu.desk.calls == {}


@pytest.mark.parametrize("api_key", [None, "sk-emulator"])
async def test_a_live_webrtc_session_takes_a_key_or_a_secret_the_emulator_minted(
    api_key: str | None,
) -> None:
    """The same rule as a Realtime WebRTC call: no key, or a client secret the emulator never
    minted, is a 401 (with or without the emulator's own key set); a minted secret gets past
    (to the 400 this offer-less body earns)."""
    bad_body = {"session": {"model": "gpt-live-1"}}
    async with Emulator(api_key=api_key) as emu:
        secret = await client_secret(emu, {"type": "realtime"}, key=api_key or "sk-any")
        cases = [(None, 401), ("ek_" + "0" * 32, 401), (secret, 400)]
        async with httpx2.AsyncClient() as http:
            for key, status in cases:
                headers = {} if key is None else {"Authorization": f"Bearer {key}"}
                url = f"{emu.http_url}/live/sessions"
                reply = await http.post(url, json=bad_body, headers=headers)
                assert reply.status_code == status, (key, reply.text)
                assert reply.json()["error"]["message"]
        assert emu.desk.calls == {}
