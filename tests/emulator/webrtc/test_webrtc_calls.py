"""WebRTC calls to the emulator (``rtagents[webrtc]``), from an independent aiortc client
over real sockets: the offer and answer, events on the ``oai-events`` data channel (each
valid by the openai SDK's types), audio over RTP both ways, a sideband on the same session,
hang-up, errors and CORS."""

from __future__ import annotations

import asyncio
import contextlib
import json
import wave
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx2
import pytest
from openai.types.realtime import RealtimeServerEvent
from pydantic import TypeAdapter
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel
from tests.speech import espeak, sox

from .client import Browser

pytestmark = pytest.mark.anyio
KEY = "sk-test-webrtc"
SERVER_EVENT: TypeAdapter[Any] = TypeAdapter(RealtimeServerEvent)


def valid(events: list[dict[str, Any]]) -> None:
    for event in events:
        SERVER_EVENT.validate_python(event)


async def client_secret(emu: Emulator, session: dict[str, Any], key: str = KEY) -> str:
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}) as http:
        reply = await http.post(
            f"{emu.http_url}/realtime/client_secrets", json={"session": session}
        )
    assert reply.status_code == 200, reply.text
    value: str = reply.json()["value"]
    return value


@contextlib.asynccontextmanager
async def on_a_call(emu: Emulator) -> AsyncIterator[Browser]:
    """A browser whose call to ``emu`` is up (its ``session.created`` taken), closed after."""
    browser = Browser()
    try:
        reply = await browser.call(emu.http_url, "sk-any")
        assert reply.status_code == 201, reply.text
        await browser.until("session.created")
        yield browser
    finally:
        await browser.close()


async def spoken_answer(browser: Browser) -> list[dict[str, Any]]:
    """Ask for a response; its events up to ``response.done``."""
    browser.send({"type": "response.create"})
    return await browser.until("response.done")


async def test_a_browser_call_talks_over_the_data_channel_and_hears_audio() -> None:
    session = {
        "type": "realtime",
        "instructions": "Be brief.",
        "audio": {"output": {"voice": "cedar"}},
    }
    async with Emulator(model=ScriptedModel(["Hello from the emulator."]), api_key=KEY) as emu:
        browser = Browser()
        try:
            reply = await browser.call(emu.http_url, await client_secret(emu, session))
            assert reply.status_code == 201, reply.text
            assert reply.headers["content-type"].startswith("application/sdp")
            assert reply.text.startswith("v=0")
            assert reply.headers["location"].startswith("/v1/realtime/calls/rtc_")
            assert reply.headers["access-control-expose-headers"] == "Location"
            first = await browser.until("session.created")
            assert len(first) == 1
            assert first[0]["session"]["instructions"] == "Be brief."  # the secret's session
            assert first[0]["session"]["audio"]["output"]["voice"] == "cedar"
            item = {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "Hi"}],
            }
            browser.send({"type": "conversation.item.create", "item": item})
            browser.send({"type": "response.create"})
            events = await browser.until("response.done")
            stopped = await browser.until("output_audio_buffer.stopped")
            valid(first + events + stopped)
            kinds = [e["type"] for e in events + stopped]
            # Audio goes over RTP: no deltas on the channel; the buffer's events instead.
            assert "response.output_audio.delta" not in kinds
            assert kinds.index("output_audio_buffer.started") < kinds.index("response.done")
            assert kinds.index("response.done") < kinds.index("output_audio_buffer.stopped")
            done = next(e for e in events if e["type"] == "response.output_audio_transcript.done")
            assert done["transcript"] == "Hello from the emulator."
            response_id = events[-1]["response"]["id"]
            assert stopped[-1]["response_id"] == response_id
            await browser.hears(0.02)  # speech, not silence, reaches the speaker
            status = emu.desk.calls[browser.call_id].public()
            assert (status["status"], status["transport"]) == ("accepted", "webrtc")
        finally:
            await browser.close()


async def test_output_audio_buffer_clear_cuts_the_audio_off() -> None:
    model = ScriptedModel(["A long answer " * 20])
    async with Emulator(model=model) as emu, on_a_call(emu) as browser:
        done = await spoken_answer(browser)
        started = [e for e in done if e["type"] == "output_audio_buffer.started"]
        browser.send({"type": "output_audio_buffer.clear"})
        cleared = await browser.until("output_audio_buffer.cleared")
        valid(started + cleared)
        assert cleared[-1]["response_id"] == started[-1]["response_id"]
        assert "output_audio_buffer.stopped" not in [e["type"] for e in cleared]


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """espeak-ng saying a question, as 48 kHz mono PCM16 (a browser's microphone rate)."""
    folder = tmp_path_factory.mktemp("speech")
    raw = espeak("What is the weather in Paris today?", folder / "raw.wav")
    wav = sox(raw, folder / "48k.wav", "-r", "48000", "-c", "1", "-b", "16")
    with wave.open(str(wav), "rb") as w:
        return w.readframes(w.getnframes())


async def test_speech_on_the_microphone_takes_a_turn(spoken: bytes) -> None:
    heard: list[int] = []

    def transcribe(audio: bytes, ms: int) -> str:
        heard.append(ms)
        return "What is the weather in Paris today?"

    def answer(ctx: ModelContext) -> Say:
        return Say(f"You asked: {ctx.last_user_text}")

    session = {
        "type": "realtime",
        "audio": {"input": {"transcription": {"model": "gpt-4o-transcribe"}}},
    }
    async with Emulator(model=ScriptedModel([answer]), transcribe=transcribe) as emu:
        browser = Browser()
        try:
            await browser.offer()
            files = {
                "sdp": (None, browser.pc.localDescription.sdp, "application/sdp"),
                "session": (None, json.dumps(session), "application/json"),
            }
            reply = await post_form(browser, emu.http_url, files)
            assert reply.status_code == 201, reply.text
            await browser.until("session.created")
            browser.mic.say(spoken)
            events = await browser.until("response.done", timeout=20)
            valid(events)
            kinds = [e["type"] for e in events]
            assert (
                kinds.index("input_audio_buffer.speech_started")
                < kinds.index("input_audio_buffer.speech_stopped")
                < kinds.index("input_audio_buffer.committed")
            )
            transcript = next(
                e
                for e in events
                if e["type"] == "conversation.item.input_audio_transcription.completed"
            )
            assert transcript["transcript"] == "What is the weather in Paris today?"
            said = next(e for e in events if e["type"] == "response.output_audio_transcript.done")
            assert said["transcript"] == "You asked: What is the weather in Paris today?"
            # The turn is the speech (about two seconds), heard at the session's 24 kHz.
            assert len(heard) == 1 and 1200 < heard[0] < 4000, heard
        finally:
            await browser.close()


async def post_form(browser: Browser, http_url: str, files: dict[str, Any]) -> httpx2.Response:
    """The openai SDK's multipart form (``client.realtime.calls.create(sdp=, session=)``)."""
    async with httpx2.AsyncClient(timeout=10) as http:
        reply = await http.post(
            f"{http_url}/realtime/calls", headers={"Authorization": "Bearer sk-any"}, files=files
        )
    return await browser.answered(reply)


async def test_a_sideband_runs_the_tool_and_the_browser_hears_the_answer() -> None:
    ran: list[str] = []

    @rtagents.tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        ran.append(city)
        return "sunny"

    def answer(ctx: ModelContext) -> Say:
        return Say(f"It is {ctx.pending_outputs[0]['output']} in Paris.")

    model = ScriptedModel([[CallFunction("get_weather", {"city": "Paris"})], answer])
    agent = rtagents.Agent(name="desk", instructions="Help.", tools=[get_weather])
    async with Emulator(model=model, api_key=KEY) as emu:
        browser = Browser()
        try:
            secret = await client_secret(emu, {"type": "realtime"})
            assert (await browser.call(emu.http_url, secret)).status_code == 201
            await browser.until("session.created")
            async with rtagents.connect(
                agent, url=emu.url, api_key=KEY, call_id=browser.call_id
            ) as sideband:
                # The sideband's session.update configured the call's one session.
                updated = await browser.until("session.updated")
                assert [t["name"] for t in updated[-1]["session"]["tools"]] == ["get_weather"]
                item = {"type": "message", "role": "user",
                        "content": [{"type": "input_text", "text": "Weather in Paris?"}]}  # fmt: skip
                browser.send({"type": "conversation.item.create", "item": item})
                browser.send({"type": "response.create"})
                first = await browser.until("response.done")
                assert first[-1]["response"]["output"][0]["type"] == "function_call"
                events = await browser.until("response.output_audio_transcript.done")
                valid(first + events)
                assert events[-1]["transcript"] == "It is sunny in Paris."
                assert ran == ["Paris"]
                # The tool's output came from the sideband, into the same conversation.
                outputs = [
                    e["item"] for e in events
                    if e["type"] == "conversation.item.added"
                    and e["item"]["type"] == "function_call_output"
                ]  # fmt: skip
                assert [o["output"] for o in outputs] == ["sunny"]
                # The sideband saw the call's server events too, the answer among them.
                with anyio.fail_after(10):
                    async for event in sideband:
                        said = getattr(event, "transcript", None)
                        if event.type == "response.output_audio_transcript.done" and said:
                            assert said == "It is sunny in Paris."
                            break
                    else:
                        pytest.fail("the sideband's session ended before the answer")
        finally:
            await browser.close()


async def test_hangup_closes_the_peer_and_the_sideband_and_leaves_no_task() -> None:
    async with Emulator(api_key=KEY) as emu:
        browser = Browser()
        try:
            secret = await client_secret(emu, {"type": "realtime"})
            assert (await browser.call(emu.http_url, secret)).status_code == 201
            await browser.until("session.created")
            bearer = {"Authorization": f"Bearer {KEY}"}
            url = f"{emu.url}?call_id={browser.call_id}"
            async with ws_connect(url, additional_headers=bearer) as sideband:
                created = json.loads(await sideband.recv())
                assert created["type"] == "session.created"
                async with httpx2.AsyncClient(headers=bearer) as http:
                    hung = await http.post(
                        f"{emu.http_url}/realtime/calls/{browser.call_id}/hangup"
                    )
                    assert hung.status_code == 200, hung.text
                    with pytest.raises(ConnectionClosed) as closed:
                        with anyio.fail_after(10):
                            while True:
                                await sideband.recv()
                    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
                    await asyncio.wait_for(browser.channel_closed.wait(), 10)
                    status = await http.get(f"{emu.http_url}/emulator/calls/{browser.call_id}")
                    assert status.json()["status"] == "ended"
            # An ended call takes no sideband.
            with pytest.raises(Exception, match="404"):
                async with ws_connect(url, additional_headers=bearer):
                    pass
        finally:
            await browser.close()
    assert _aiortc_tasks() == []


def _aiortc_tasks() -> list[str]:
    """Tasks still running code of aiortc or of the emulator's WebRTC shell."""
    names = []
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        where = code.co_filename if code is not None else ""
        if task is not asyncio.current_task() and ("aiortc" in where or "webrtc" in where):
            names.append(repr(task))
    return names


async def test_the_emulator_stopping_ends_its_calls() -> None:
    browser = Browser()
    try:
        async with Emulator() as emu:
            assert (await browser.call(emu.http_url, "sk-any")).status_code == 201
            await browser.until("session.created")
            call = emu.desk.calls[browser.call_id]
        assert call.status == "ended"
        await asyncio.wait_for(browser.channel_closed.wait(), 10)
    finally:
        await browser.close()
    assert _aiortc_tasks() == []


async def test_bad_offers_and_keys_answer_the_error_shape() -> None:
    async with Emulator(api_key=KEY) as emu:
        secret = await client_secret(emu, {"type": "realtime"})
        cases = [
            (KEY, "not sdp at all", 400, "sdp"),
            (
                KEY,
                "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n",
                400,
                "sdp",
            ),
            ("sk-wrong", None, 401, None),
            (None, None, 401, None),
            ("ek_" + "0" * 32, None, 401, None),  # no such client secret
        ]
        for key, sdp, status, param in cases:
            browser = Browser()
            try:
                reply = await browser.call(emu.http_url, key, sdp=sdp)
                assert reply.status_code == status, (key, sdp, reply.text)
                error = reply.json()["error"]
                assert error["type"] == "invalid_request_error" and error["message"]
                assert error["param"] == param
                assert reply.headers["access-control-allow-origin"] == "*"
                assert KEY not in reply.text and secret not in reply.text
            finally:
                await browser.close()
        assert not any(c.call_id.startswith("rtc_") for c in emu.desk.calls.values())
        assert len(emu.connections) == 0


async def test_cors_preflight_is_answered_without_a_key() -> None:
    async with Emulator(api_key=KEY) as emu:
        async with httpx2.AsyncClient() as http:
            for path in ("/realtime/calls", "/realtime/calls/rtc_x/hangup"):
                reply = await http.options(
                    emu.http_url + path,
                    headers={
                        "Origin": "http://app.example",
                        "Access-Control-Request-Method": "POST",
                        "Access-Control-Request-Headers": "authorization, content-type",
                    },
                )
                assert reply.status_code == 204, path
                allowed = reply.headers["access-control-allow-headers"].lower()
                assert "authorization" in allowed and "content-type" in allowed
                assert reply.headers["access-control-allow-origin"] == "*"
                assert reply.headers["access-control-expose-headers"] == "Location"
            # Other routes get no CORS, and the key is still asked for.
            other = await http.options(emu.http_url + "/realtime/client_secrets",
                                       headers={"Origin": "http://app.example"})  # fmt: skip
            assert other.status_code == 401
            assert "access-control-allow-origin" not in other.headers


async def test_a_peer_that_never_connects_is_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    from rtagents.emulator.webrtc import peer

    monkeypatch.setattr(peer, "CONNECT_S", 0.5)
    async with Emulator() as emu:
        browser = Browser()
        try:
            await browser.offer()
            async with httpx2.AsyncClient() as http:
                reply = await http.post(
                    f"{emu.http_url}/realtime/calls",
                    content=browser.pc.localDescription.sdp,
                    headers={"Authorization": "Bearer sk-x", "Content-Type": "application/sdp"},
                )
                assert reply.status_code == 201  # and the page went away without the answer
                call_id = reply.headers["location"].rsplit("/", 1)[-1]
                with anyio.fail_after(10):
                    while emu.desk.calls[call_id].status != "ended":
                        await asyncio.sleep(0.05)
        finally:
            await browser.close()


async def test_a_session_of_the_wrong_shape_is_a_400() -> None:
    async with Emulator() as emu:
        browser = Browser()
        try:
            await browser.offer()
            for session in ({"audio": "loud"}, {"output_modalities": ["text", "audio"]}):
                files = {
                    "sdp": (None, browser.pc.localDescription.sdp, "application/sdp"),
                    "session": (None, json.dumps(session), "application/json"),
                }
                reply = await post_form(browser, emu.http_url, files)
                assert reply.status_code == 400, reply.text
                assert reply.json()["error"]["param"].startswith("session")
            assert emu.desk.calls == {}
        finally:
            await browser.close()


async def test_offers_aiortc_cannot_take_are_a_400_and_leave_nothing() -> None:
    """An offer with only a data channel (no audio) and one whose media line aiortc's
    parser trips on: each a 400, no call, no connection, the emulator still serving."""
    from aiortc import RTCConfiguration, RTCPeerConnection

    page = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    page.createDataChannel("oai-events")
    await page.setLocalDescription(await page.createOffer())
    channel_only = page.localDescription.sdp
    await page.close()
    async with Emulator() as emu:
        async with httpx2.AsyncClient(timeout=10) as http:
            for sdp in (channel_only, "v=0\r\nm=audio x y\r\n"):
                reply = await http.post(
                    f"{emu.http_url}/realtime/calls",
                    content=sdp,
                    headers={"Authorization": "Bearer sk-x", "Content-Type": "application/sdp"},
                )
                assert reply.status_code == 400, reply.text
                assert reply.json()["error"]["param"] == "sdp"
        assert not emu.desk.calls and not emu.connections
        async with on_a_call(emu):  # and a good call after them works
            pass
    assert _aiortc_tasks() == []


async def test_a_call_works_on_a_host_with_only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """aioice skips 127.0.0.1 and ::1 when it gathers host candidates: on a machine (a CI
    container) whose only interface is loopback, neither side would have one, and ICE
    would fail. There, both gather loopback instead."""
    import ifaddr

    adapters = ifaddr.get_adapters()
    loopback = [a for a in adapters if all(_is_loopback(ip.ip) for ip in a.ips)]
    assert loopback, [a.nice_name for a in adapters]
    monkeypatch.setattr(ifaddr, "get_adapters", lambda *a, **k: loopback)
    async with Emulator(model=ScriptedModel(["Hello."])) as emu, on_a_call(emu) as browser:
        await spoken_answer(browser)
        await browser.until("output_audio_buffer.stopped")


def _is_loopback(ip: str | tuple[str, int, int]) -> bool:
    return ip == "127.0.0.1" or (isinstance(ip, tuple) and ip[0] == "::1")


async def test_the_caller_barging_in_clears_the_audio_and_truncates_what_was_unheard(
    spoken: bytes,
) -> None:
    """Over WebRTC the server holds the output audio, so it knows what was heard: the
    caller's speech clears the buffer and cuts the item there (``conversation.item
    .truncated``), as the real server does; over a websocket that is the client's job."""
    model = ScriptedModel(["A long answer " * 20, "Yes?"])
    async with Emulator(model=model) as emu, on_a_call(emu) as browser:
        done = await spoken_answer(browser)
        started = [e for e in done if e["type"] == "output_audio_buffer.started"]
        item_id = done[-1]["response"]["output"][0]["id"]
        await browser.hears(0.02)  # some of it has played
        browser.mic.say(spoken)
        events = await browser.until("conversation.item.truncated", timeout=20)
        valid(events)
        kinds = [e["type"] for e in events]
        assert "output_audio_buffer.stopped" not in kinds
        cleared = next(e for e in events if e["type"] == "output_audio_buffer.cleared")
        assert cleared["response_id"] == started[-1]["response_id"]
        assert kinds.index("input_audio_buffer.speech_started") < kinds.index(
            "output_audio_buffer.cleared"
        )
        truncated = events[-1]
        assert (truncated["item_id"], truncated["content_index"]) == (item_id, 0)
        assert truncated["audio_end_ms"] > 0
        item = emu.last.conversation.get(item_id)
        assert item["content"][0]["transcript"] == ""  # the unheard text left the context


async def test_an_event_too_large_for_the_channel_is_an_error_and_the_call_goes_on() -> None:
    """The page's SCTP takes messages up to a size (aiortc's 64 KiB; Chromium's 256 KiB): an
    assistant item retrieved with its audio is larger. The call is not ended for it: the
    page gets an ``error`` in its place."""
    model = ScriptedModel(["A long answer " * 10, "Still here."])
    async with Emulator(model=model) as emu, on_a_call(emu) as browser:
        done = await spoken_answer(browser)
        item_id = done[-1]["response"]["output"][0]["id"]
        browser.send({"type": "conversation.item.retrieve", "item_id": item_id})
        error = await browser.until("error")
        valid(error[-1:])
        assert "conversation.item.retrieved" in error[-1]["error"]["message"]
        browser.send({"type": "response.create"})
        again = await browser.until("response.done")
        assert again[-1]["response"]["status"] == "completed"
