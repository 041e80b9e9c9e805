"""The Twilio Media Streams bridge at its edges, end to end on loopback (uvicorn, real
websockets, the embedded emulator): an empty token, a hang-up racing the caller, a handoff,
keep_ended, busy worker threads."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest
import websockets

import rtagents
from rtagents.calls import CallServer, TwilioStreams, end_call
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-tests"
LONG = "This answer goes on for a while, long enough for the caller to talk over it. " * 3


def server_for(emu: Emulator, **options: Any) -> CallServer:
    options.setdefault(
        "agent",
        rtagents.Agent(
            name="phone",
            tools=[end_call],
            turn_detection=rtagents.protocol.ServerVad(silence_duration_ms=300),
        ),
    )
    options.setdefault("twilio", TwilioStreams(auth_token=TOKEN))
    return CallServer(webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url, **options)


def stream_url(url: str) -> str:
    return url.replace("http", "ws", 1) + "/twilio"


async def streaming(app: CallServer, call_sid: str) -> None:
    with anyio.fail_after(10):
        while not (call_sid in app.calls and app.calls[call_sid].session):
            await anyio.sleep(0.01)


async def test_an_empty_auth_token_does_not_let_a_stream_signed_with_the_empty_key_in() -> None:
    """``TwilioStreams(auth_token=os.environ.get("TWILIO_AUTH_TOKEN", ""))`` with the variable
    unset (or set empty, as ``TWILIO_AUTH_TOKEN=`` in a compose file does): the check is not
    off (that takes an explicit ``None``), it is an HMAC keyed with the empty string, which
    anyone can compute. Either the settings refuse the empty token, or such a stream is
    refused."""
    try:
        settings = TwilioStreams(auth_token="")
    except ValueError:
        return  # refused up front: fine
    async with Emulator(model=ScriptedModel([], then="hi")) as emu:
        app = server_for(emu, twilio=settings)
        async with serve_asgi(app) as url:
            # A stranger signs the URL with the empty key (TwilioMediaClient signs with "").
            try:
                async with TwilioMediaClient(stream_url(url), auth_token="") as phone:
                    await streaming(app, phone.call_sid)
                    let_in = True
            except websockets.InvalidStatus:
                let_in = False
    assert not let_in, f"a stream signed with the empty key got in ({settings!r})"


async def test_a_hang_up_while_the_caller_hangs_up_returns_at_once() -> None:
    """A supervisor hangs up a call (``app.hangup``) while the agent's answer is still
    queued at Twilio; the caller hangs up meanwhile (``stop``, then the socket closes). The
    hang-up waits for the marks of an answer nobody will ever play: it should return as the
    stream ends, not 10 s later."""
    async with Emulator(model=ScriptedModel([LONG], then="Yes?")) as emu:
        app = server_for(emu)
        async with serve_asgi(app) as url:
            phone = TwilioMediaClient(stream_url(url), auth_token=TOKEN, playback="manual")
            async with phone:
                await streaming(app, phone.call_sid)
                await app.calls[phone.call_sid].session.send_text("Tell me everything.")
                with anyio.fail_after(10):
                    await phone.wait_for_audio(1000)
                took: list[float] = []

                async def hang_up() -> None:
                    began = time.monotonic()
                    await app.hangup(phone.call_sid)
                    took.append(time.monotonic() - began)

                async with anyio.create_task_group() as tg:
                    tg.start_soon(hang_up)
                    await anyio.sleep(0.2)
                    await phone.send("stop", stop={"callSid": phone.call_sid})
                    await phone._ws.close()  # the caller is gone
                    with anyio.move_on_after(4):
                        while not took:
                            await anyio.sleep(0.02)
                    record = app.calls[phone.call_sid]
                    state = record.state
                    tg.cancel_scope.cancel()
    assert took and took[0] < 2, (
        f"app.hangup still waiting 4 s after the caller left (call {state})"
    )


async def test_a_handoff_on_a_stream_keeps_the_session_in_ulaw() -> None:
    """The router's agent hands the call to ``billing``, an agent the app also uses in its
    browser page (``input_audio_format="pcm16"``, ``output_audio_format="pcm16"``). Twilio
    speaks u-law only: the stream's session must stay ``audio/pcmu`` both ways ("the
    agent's own format settings are overridden for the stream"), or the caller hears PCM16
    bytes played as u-law (noise) and the model hears u-law read as PCM16."""
    billing = rtagents.Agent(
        name="billing",
        instructions="Billing.",
        input_audio_format="pcm16",
        output_audio_format="pcm16",
    )
    front = rtagents.Agent(
        name="front",
        handoffs=[billing],
        turn_detection=rtagents.protocol.ServerVad(silence_duration_ms=300),
    )
    model = ScriptedModel([[_transfer()], "Billing here, how can I help?"], then="ok")
    async with Emulator(model=model) as emu:
        app = server_for(emu, agent=front)
        async with serve_asgi(app) as url:
            phone = TwilioMediaClient(stream_url(url), auth_token=TOKEN, playback="instant")
            async with phone:
                await streaming(app, phone.call_sid)
                await app.calls[phone.call_sid].session.send_text("I have a billing question.")
                with anyio.fail_after(10):
                    await phone.wait_for_audio(300)  # billing's answer
                session = emu.last.session
    formats = (
        session["audio"]["input"]["format"]["type"],
        session["audio"]["output"]["format"]["type"],
    )
    assert formats == ("audio/pcmu", "audio/pcmu"), (
        f"after the handoff the stream's session is {formats}"
    )


def _transfer() -> Any:
    from rtagents.emulator import CallFunction

    return CallFunction("transfer_to_billing", call_id="h1")


async def test_keep_ended_keeps_the_latest_ended_calls_when_one_streamed_twice() -> None:
    """``keep_ended=2``: the latest two ended calls stay in ``app.calls``. Call A streams,
    ends, streams again (a ``<Redirect>`` after a ``<Gather>``) and ends; then call B
    ends. A and B are the latest two ended calls; A's record (its usage, its cost) is
    dropped all the same, as its first end is counted as another ended call."""
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        app = server_for(emu, keep_ended=2)
        async with serve_asgi(app) as url:

            async def stream(call_sid: str | None = None) -> str:
                phone = TwilioMediaClient(stream_url(url), auth_token=TOKEN, call_sid=call_sid)
                async with phone:
                    await streaming(app, phone.call_sid)
                with anyio.fail_after(10):
                    while app.calls[phone.call_sid].state == "active":
                        await anyio.sleep(0.01)
                return phone.call_sid

            a = await stream()
            await stream(a)  # A streams again
            b = await stream()
            kept = sorted(app.calls)
    assert kept == sorted([a, b]), f"app.calls kept {len(kept)} of the latest 2 ended calls"


async def test_slow_sync_routers_do_not_get_signed_streams_refused() -> None:
    """A burst of calls whose (sync) router looks each caller up in a slow CRM: "a sync one
    runs in a worker thread, so a slow lookup holds up no other call". But the signature
    check of the next stream (an HMAC: microseconds of CPU) is also run in a worker
    thread, waits behind the lookups, and a correctly signed stream is refused with 403.
    (Two worker threads here stand for anyio's default 40, all busy with lookups: with
    40 real calls and the default limiter the same refusal was seen.)"""
    limiter = anyio.to_thread.current_default_thread_limiter()
    threads, limiter.total_tokens = limiter.total_tokens, 2
    lookups = 2

    def crm_lookup(call: Any) -> rtagents.Agent:
        time.sleep(2.5)  # the CRM is slow today
        return rtagents.Agent(name="phone")

    try:
        async with Emulator(model=ScriptedModel([], then="hi")) as emu:
            settings = TwilioStreams(auth_token=TOKEN, start_timeout=1)
            app = server_for(emu, agent=None, route=crm_lookup, twilio=settings)
            async with serve_asgi(app) as url:
                phones = [
                    TwilioMediaClient(stream_url(url), auth_token=TOKEN, playback="manual")
                    for _ in range(lookups)
                ]
                for phone in phones:
                    await phone.__aenter__()
                with anyio.fail_after(5):
                    while sum(c.state == "ringing" for c in app.calls.values()) < lookups:
                        await anyio.sleep(0.02)  # every lookup is under way
                refused = None
                try:
                    async with TwilioMediaClient(
                        stream_url(url), auth_token=TOKEN, playback="manual"
                    ):
                        pass
                except websockets.InvalidStatus as exc:
                    refused = exc.response.status_code
                for phone in reversed(phones):  # (their task groups: last in, first out)
                    await phone.__aexit__(None, None, None)
    finally:
        limiter.total_tokens = threads
    assert refused is None, f"a correctly signed stream was refused with HTTP {refused}"
