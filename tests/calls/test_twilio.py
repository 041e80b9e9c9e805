"""The Twilio Media Streams bridge, end to end on loopback: Twilio's side is played by
``rtagents.testing.TwilioMediaClient`` over a real websocket to a CallServer under uvicorn,
which bridges each stream to a session on the emulator. The caller's voice is espeak-ng
speech encoded as u-law by sox."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import anyio
import pytest
import websockets

import rtagents
from rtagents.calls import (
    CallServer,
    IncomingCall,
    LocalRegistry,
    Reject,
    TwilioStreams,
    current_call,
    end_call,
)
from rtagents.calls import server as calls_server
from rtagents.calls.twilio import TwilioPlayer
from rtagents.emulator import CallFunction, Emulator, Say, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi
from tests.speech import espeak, sox

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-tests"
LONG = "This answer goes on for a while, long enough for the caller to talk over it. " * 3


@pytest.fixture(scope="module")
def ulaw(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """'What is the weather in Paris?' as a phone carries it, then half a second of line
    silence (u-law's silence is 0xFF)."""
    folder = tmp_path_factory.mktemp("twilio")
    raw = espeak("What is the weather in Paris?", folder / "raw.wav")
    sox(raw, folder / "speech.ul", "-r", "8000", "-c", "1", "-e", "u-law", "-t", "ul")
    return (folder / "speech.ul").read_bytes() + b"\xff" * 4000


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def phone_agent() -> rtagents.Agent:
    return rtagents.Agent(
        name="phone",
        tools=[get_weather, end_call],
        turn_detection=rtagents.protocol.ServerVad(silence_duration_ms=300),
    )


class Served:
    def __init__(self, emu: Emulator, app: CallServer, url: str) -> None:
        self.emu, self.app, self.url = emu, app, url

    def phone(self, **options: Any) -> TwilioMediaClient:
        options.setdefault("auth_token", TOKEN)
        return TwilioMediaClient(self.url.replace("http", "ws", 1) + "/twilio", **options)


async def streaming(app: CallServer, call_sid: str) -> None:
    """Wait (10 s at most) until the stream of ``call_sid`` runs its session."""
    with anyio.fail_after(10):
        while not (call_sid in app.calls and app.calls[call_sid].session):
            await anyio.sleep(0.01)


def server_for(emu: Emulator, **options: Any) -> CallServer:
    options.setdefault("agent", phone_agent())
    options.setdefault("twilio", TwilioStreams(auth_token=TOKEN))
    return CallServer(webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url, **options)


async def test_a_call_is_heard_answered_in_ulaw_and_marks_are_echoed(ulaw: bytes) -> None:
    model = ScriptedModel([CallFunction("get_weather", {"city": "Paris"}), "It is sunny in Paris."])
    async with Emulator(model=model) as emu:
        app = server_for(emu)
        async with serve_asgi(app) as url:
            async with Served(emu, app, url).phone(playback="instant") as phone:
                with anyio.fail_after(15):
                    await phone.say(ulaw)
                    await phone.wait_for_audio(500)
                    while not (phone.played_marks and app.calls[phone.call_sid].session):
                        await anyio.sleep(0.01)
                record = app.calls[phone.call_sid]
                assert (record.source, record.state, record.agent) == ("twilio", "active", "phone")
                config = emu.last.session["audio"]
            sent = emu.last.received
    # The session is u-law both ways: the caller's bytes went through untouched.
    assert config["input"]["format"]["type"] == "audio/pcmu"
    assert config["output"]["format"]["type"] == "audio/pcmu"
    # The emulator's record keeps audio as its size: u-law bytes are 1:1 with the caller's.
    sizes = [
        int(e["audio"].strip("<>").split()[0])
        for e in sent
        if e["type"] == "input_audio_buffer.append"
    ]
    assert abs(sum(sizes) * 3 // 4 - len(ulaw)) <= 2 * len(sizes)
    assert phone.received_ms > 500
    outputs = [
        e
        for e in sent
        if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output"
    ]
    assert [o["item"]["output"] for o in outputs] == ["sunny in Paris"]
    # Every media chunk is followed by a mark, and the phone echoed them as it played.
    kinds = [m["event"] for m in phone.messages]
    assert kinds[:2] == ["media", "mark"] and kinds.count("media") == kinds.count("mark")
    assert all(m["streamSid"] == phone.stream_sid for m in phone.messages)


async def barge_in(ulaw: bytes, heard_ms: int) -> tuple[TwilioMediaClient, list[Any], Any]:
    """A long answer, of which the caller hears ``heard_ms`` before talking over it: the
    phone, the truncates the server received, and the session's history after."""
    # The turn that talks over the answer gets a response of its own, silent here: any media
    # after the clear would be the cut answer's.
    async with Emulator(model=ScriptedModel([LONG], then="")) as emu:
        app = server_for(emu)
        async with serve_asgi(app) as url:
            async with Served(emu, app, url).phone(playback="manual") as phone:
                with anyio.fail_after(15):
                    await phone.say(ulaw)
                    await phone.wait_for_audio(2000)
                    if heard_ms:
                        await phone.play_out(heard_ms)
                        await anyio.sleep(0.1)  # the echoes reach the bridge
                    await phone.say(ulaw)  # the caller talks over the rest
                    while not phone.clears:
                        await anyio.sleep(0.01)
                    await anyio.sleep(0.2)  # a truncate, if any, reaches the server
                truncates = [
                    e for e in emu.last.received if e["type"] == "conversation.item.truncate"
                ]
                history = app.calls[phone.call_sid].session.history
    # Nothing of the answer goes to Twilio after the clear: a clear drops only what Twilio
    # has queued when it comes, and chunks the bridge had yet to send would play.
    kinds = [m["event"] for m in phone.messages]
    assert "media" not in kinds[kinds.index("clear") :]
    return phone, truncates, history


async def test_a_barge_in_clears_twilio_and_truncates_at_the_last_echoed_mark(ulaw: bytes) -> None:
    phone, truncates, history = await barge_in(ulaw, heard_ms=400)
    heard_mark = phone.played_marks[-1][1]
    assert 0 < heard_mark <= 400
    assert [t["audio_end_ms"] for t in truncates] == [heard_mark]
    assert phone.clears == 1
    answer = next(i for i in history if i.type == "message" and i.role == "assistant")
    spoken = answer.content[0].text or answer.content[0].transcript or ""
    assert 0 < len(spoken) < len(LONG.strip()) / 4  # cut where the caller stopped hearing
    assert LONG.startswith(spoken)


async def test_no_truncate_when_the_caller_heard_nothing(ulaw: bytes) -> None:
    phone, truncates, _ = await barge_in(ulaw, heard_ms=0)  # before a single mark came back
    assert phone.played_marks == [] and phone.clears == 1
    assert truncates == []


async def test_keypad_presses_reach_the_agent_and_parameters_reach_the_router(ulaw: bytes) -> None:
    routed: list[IncomingCall] = []

    def route(call: IncomingCall) -> rtagents.Agent | Reject:
        routed.append(call)
        return phone_agent() if call.parameters.get("tier") == "gold" else Reject(403, "not gold")

    async with Emulator(model=ScriptedModel(["Pressed."], then="Ok.")) as emu:
        app = server_for(emu, agent=None, route=route)
        async with serve_asgi(app) as url:
            served = Served(emu, app, url)
            async with served.phone(parameters={"tier": "gold", "From": "+15550100"}) as phone:
                with anyio.fail_after(10):
                    while (
                        not app.calls.get(phone.call_sid) or not app.calls[phone.call_sid].session
                    ):
                        await anyio.sleep(0.01)
                    await phone.press("5")
                    while not any(
                        e["type"] == "conversation.item.create" for e in emu.last.received
                    ):
                        await anyio.sleep(0.01)
                texts = [
                    e["item"]["content"][0]["text"]
                    for e in emu.last.received
                    if e["type"] == "conversation.item.create"
                ]
            async with served.phone(parameters={"tier": "bronze"}) as refused:
                with anyio.fail_after(10):
                    code = await refused.wait_closed()
            assert app.calls[refused.call_sid].state == "rejected"
    assert texts == ["(the caller pressed 5 on the keypad)"]
    assert routed[0].source == "twilio" and routed[0].caller.number == "+15550100"
    assert code == 1000


@pytest.mark.parametrize("greeting", [False, True], ids=["goodbye first", "after a greeting"])
async def test_end_call_ends_the_stream_after_the_goodbye_is_heard(
    ulaw: bytes, greeting: bool
) -> None:
    # After a greeting heard in full, every mark sent so far was echoed once already: the
    # goodbye's own marks must still be waited for.
    goodbye = [Say("Goodbye, have a nice day."), CallFunction("end_call")]
    model = ScriptedModel(["Hello there.", goodbye] if greeting else [goodbye], then="ok")
    async with Emulator(model=model) as emu:
        app = server_for(emu)
        async with serve_asgi(app) as url:
            async with Served(emu, app, url).phone(playback="realtime") as phone:
                with anyio.fail_after(30):
                    before = 0
                    if greeting:
                        await phone.say(ulaw)
                        await phone.wait_for_audio(300)
                        while phone.heard_ms < phone.received_ms:  # played out, marks echoed
                            await anyio.sleep(0.05)
                        await anyio.sleep(0.3)
                        before = phone.received_ms
                    await phone.say(ulaw)
                    code = await phone.wait_closed()
                record = app.calls[phone.call_sid]
                while record.state == "active":
                    await anyio.sleep(0.01)
    assert code == 1000
    heard, received = phone.heard_ms - before, phone.received_ms - before
    assert heard > 500 and heard >= received - 40  # the goodbye heard in full
    # Ended by the app, as a SIP call says (it said "closed by the client", as a caller's).
    assert (record.state, record.reason) == ("ended", "hung up")


async def test_an_unsigned_or_wrongly_signed_stream_is_refused() -> None:
    async with Emulator(model=ScriptedModel([], then="hi")) as emu:
        app = server_for(emu)
        async with serve_asgi(app) as url:
            for token in (None, "not-the-token"):
                with pytest.raises(websockets.InvalidStatus) as refused:
                    async with Served(emu, app, url).phone(auth_token=token):
                        pass
                assert refused.value.response.status_code == 403
            assert app.calls == {}
            assert "twilio-auth-token" not in repr(TwilioStreams(auth_token=TOKEN))


async def test_hostile_messages_are_ignored_and_the_call_goes_on(ulaw: bytes) -> None:
    async with Emulator(model=ScriptedModel(["Still here."], then="ok")) as emu:
        app = server_for(emu)
        async with serve_asgi(app) as url:
            async with Served(emu, app, url).phone(playback="instant") as phone:
                ws = phone._ws
                for junk in (
                    "not json",
                    "[1, 2]",
                    '{"event": 5}',
                    "[" * 100_000,
                    '{"event": "media", "media": {"payload": "%%%"}}',
                    '{"event": "media", "media": null}',
                    '{"event": "mark", "mark": {"name": ["x"]}}',
                    '{"event": "mark", "mark": "m1"}',
                    '{"event": "dtmf", "dtmf": "5"}',
                    '{"event": "media", "media": {"payload": "AAAA", "track": ["in"]}}',
                    '{"event": "dtmf", "dtmf": {"digit": "12345"}}',
                    '{"event": "surprise"}',
                ):
                    await ws.send(junk)
                await ws.send(b"\x00\x01binary")
                await ws.send(b'{"event": "stop", "stop": {}}')  # binary: Twilio sends none
                with anyio.fail_after(15):
                    await phone.say(ulaw)
                    await phone.wait_for_audio(300)
                assert app.calls[phone.call_sid].state == "active"


async def test_a_stream_that_never_starts_is_closed() -> None:
    async with Emulator(model=ScriptedModel([], then="hi")) as emu:
        app = server_for(emu, twilio=TwilioStreams(auth_token=None, start_timeout=0.3))
        async with serve_asgi(app) as url:
            async with websockets.connect(url.replace("http", "ws", 1) + "/twilio") as ws:
                await ws.send(json.dumps({"event": "connected"}))
                with anyio.fail_after(5):
                    with pytest.raises(websockets.ConnectionClosed) as closed:
                        await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
            assert app.calls == {}


async def test_two_hang_ups_at_once_both_wait_for_the_same_goodbye(ulaw: bytes) -> None:
    # Each hang-up waits for what is playing to be heard; a second one while the first waits
    # must not leave the first waiting for a played-out that is never told to it (10 s).
    model = ScriptedModel(["Goodbye, and thank you for calling us today."], then="ok")
    async with Emulator(model=model) as emu:
        app = server_for(emu)
        async with serve_asgi(app) as url:
            async with Served(emu, app, url).phone(playback="realtime") as phone:
                returned: list[float] = []

                async def hang_up() -> None:
                    await app.calls[phone.call_sid].handle.hangup()
                    returned.append(phone.heard_ms)

                with anyio.fail_after(8):
                    await phone.say(ulaw)
                    await phone.wait_for_audio(200)
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(hang_up)
                        tg.start_soon(hang_up)
                    code = await phone.wait_closed()
    assert code == 1000
    assert len(returned) == 2
    assert min(returned) >= phone.received_ms - 40  # both after the goodbye was heard


def test_the_player_sends_nothing_more_of_an_item_it_cleared() -> None:
    """The session clears the player at the barge-in; the app's loop still holds chunks of
    the answer that came before it, and plays them after: they are not sent (Twilio would
    play them). A later item's are."""
    sent: list[dict[str, Any]] = []
    player = TwilioPlayer("MZ1", sent.append)
    player.play("item_a", "/w==")
    player.clear()
    player.play("item_a", "/w==")  # read by the app after the clear
    player.play("item_b", "/w==")
    kinds = [(m["event"], m.get("media", {}).get("payload")) for m in sent]
    assert kinds == [
        ("media", "/w=="),
        ("mark", None),
        ("clear", None),
        ("media", "/w=="),
        ("mark", None),
    ]
    assert player.played_ms("item_b") == 0 and not player.all_played()


async def test_a_barge_in_after_the_session_reconnected_still_clears_twilio(ulaw: bytes) -> None:
    """Twilio holds seconds of the answer (the model sends faster than real time). The
    session's connection drops and comes back: that answer is nobody's to cut any more,
    but the caller still hears it. Talking over it clears it."""
    # The turn that talks over the answer gets a response of its own, silent here: any media
    # after the clear would be the cut answer's.
    async with Emulator(model=ScriptedModel([LONG], then="")) as emu:
        app = server_for(emu)
        async with serve_asgi(app) as url:
            async with Served(emu, app, url).phone(playback="manual") as phone:
                with anyio.fail_after(20):
                    await phone.say(ulaw)
                    await phone.wait_for_audio(3000)
                    await anyio.sleep(0.5)  # the whole answer is at Twilio, unplayed
                    await phone.play_out(400)
                    await anyio.sleep(0.1)
                    first = emu.last
                    first.drop()
                    while emu.last is first or not emu.last.session:
                        await anyio.sleep(0.02)
                    await anyio.sleep(0.5)  # reconnected and configured
                    await phone.say(ulaw)  # the caller talks over the rest
                    await anyio.sleep(1.5)
                heard = [e.get("type") for e in emu.last.sent]
    assert "input_audio_buffer.speech_started" in heard  # the barge-in was heard
    assert phone.clears == 1, f"{phone.received_ms - phone.heard_ms} ms of the old answer play on"


async def test_a_slow_keypad_handler_does_not_hold_up_the_callers_audio(
    ulaw: bytes,
) -> None:
    """An ``on_dtmf`` handler that looks the caller's account up (2 s): meanwhile the
    caller's audio still reaches the model."""

    async def lookup(session: object, digit: str) -> None:
        await anyio.sleep(2)

    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        app = server_for(emu, twilio=TwilioStreams(auth_token=TOKEN, on_dtmf=lookup))
        async with serve_asgi(app) as url:
            async with Served(emu, app, url).phone() as phone:
                await streaming(app, phone.call_sid)
                await phone.press("1")
                await phone.say(ulaw[:1600])  # 200 ms of speech, after the press
                with anyio.fail_after(1.5):  # (the handler takes 2 s)
                    while not any(
                        e["type"] == "input_audio_buffer.append" for e in emu.last.received
                    ):
                        await anyio.sleep(0.01)


class HangingRegistry(LocalRegistry):
    """A Redis that stopped answering (a partition: no error, no reply)."""

    def __init__(self) -> None:
        super().__init__()
        self.unblock = anyio.Event()
        self.given_back: list[str] = []

    async def claim(self, call_id: str) -> bool:
        await self.unblock.wait()  # (set at the test's end, so that the server can stop)
        raise ConnectionError("Timeout reading from redis:6379")

    async def abandon(self, call_id: str) -> None:
        self.given_back.append(call_id)


async def test_a_stream_whose_claim_hangs_is_closed_for_another_try(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As a webhook's: after ``CLAIM_TIMEOUT_S`` the claim is given back and the stream is
    closed with 1013 (try again later), so that the TwiML after ``<Connect>`` runs; the
    caller is not left in silence."""
    monkeypatch.setattr(calls_server, "CLAIM_TIMEOUT_S", 0.3)
    registry = HangingRegistry()
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        app = server_for(emu, registry=registry)
        async with serve_asgi(app) as url:
            async with Served(emu, app, url).phone() as phone:
                with anyio.move_on_after(5):
                    await phone.wait_closed()
                registry.unblock.set()
    assert phone.closed == 1013
    assert registry.given_back == [phone.call_sid]


async def test_a_call_streamed_again_once_its_stream_ended_is_served_and_not_while_live() -> None:
    """TwiML goes on with the next verb when a stream ends (``<Connect><Stream/></Connect>
    <Redirect>/voice</Redirect>``): the same call (its CallSid, a new streamSid) streams
    again, and is served, routed afresh. A second stream while the first lives is refused."""
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        app = server_for(emu)
        async with serve_asgi(app) as url:
            served = Served(emu, app, url)
            first = served.phone()
            async with first:
                await streaming(app, first.call_sid)
                async with served.phone(call_sid=first.call_sid) as doubled:
                    with anyio.fail_after(5):
                        assert await doubled.wait_closed() == 1008
            with anyio.fail_after(10):
                while app.calls[first.call_sid].state == "active":
                    await anyio.sleep(0.01)
            async with served.phone(call_sid=first.call_sid) as again:
                with anyio.fail_after(10):
                    while not (
                        app.calls[first.call_sid].state == "active"
                        and app.calls[first.call_sid].session
                    ):
                        assert again.closed is None
                        await anyio.sleep(0.01)
                record = app.calls[first.call_sid]
    assert record.source == "twilio" and record.agent == "phone"


async def test_a_call_streamed_again_stays_listed_while_older_calls_are_let_go() -> None:
    """``keep_ended`` lets the oldest ended calls go from ``app.calls``: a call that ended,
    then streamed again, is not let go while it is live again."""
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        app = server_for(emu, keep_ended=1)
        async with serve_asgi(app) as url:
            served = Served(emu, app, url)

            async def stream(call_sid: str | None = None, end: bool = True) -> TwilioMediaClient:
                phone = served.phone(call_sid=call_sid)
                await phone.__aenter__()
                await streaming(app, phone.call_sid)
                if end:
                    await phone.__aexit__(None, None, None)
                    while app.calls[phone.call_sid].state == "active":
                        await anyio.sleep(0.01)
                return phone

            first = await stream()
            again = await stream(first.call_sid, end=False)
            try:
                other = await stream()  # ends: the oldest ended entry goes
                assert app.calls[first.call_sid].state == "active"
                assert other.call_sid in app.calls
            finally:
                await again.__aexit__(None, None, None)


@pytest.mark.parametrize("how", ["abort", "close"])
async def test_a_caller_who_hangs_up_mid_answer_ends_the_call(ulaw: bytes, how: str) -> None:
    """Twilio's websocket goes away while the answer streams (the connection reset, or
    closed with no ``stop``): the call ended, it did not fail (the agent's loop goes on
    playing chunks for a moment, to a sender that has stopped)."""
    long = "This answer goes on for a while, long enough for the caller to hang up. " * 6
    async with Emulator(model=ScriptedModel([long], then="Yes?")) as emu:
        app = server_for(emu)
        async with serve_asgi(app) as url:
            phone = Served(emu, app, url).phone(playback="instant")
            await phone.__aenter__()
            try:
                with anyio.fail_after(15):
                    await phone.say(ulaw)
                    await phone.wait_for_audio(300)
                if how == "abort":
                    phone._ws.transport.abort()
                else:
                    await phone._ws.close()
                with anyio.fail_after(10):
                    while app.calls[phone.call_sid].state == "active":
                        await anyio.sleep(0.01)
            finally:
                with contextlib.suppress(Exception):
                    await phone.__aexit__(None, None, None)
            record = app.calls[phone.call_sid]
    assert record.state == "ended", (record.state, record.reason)


async def test_a_keypad_handler_that_raises_costs_neither_the_call_nor_the_next_press() -> None:
    """'Press 0 for an operator': the handler asks for a transfer, which a stream cannot do
    (``CallControlError``). It is logged; the next press reaches the handler too, and the
    call goes on."""
    pressed: list[str] = []

    async def operator(session: Any, digit: str) -> None:
        pressed.append(digit)
        await current_call().refer("tel:+15550100")  # CallControlError on a stream

    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        app = server_for(emu, twilio=TwilioStreams(auth_token=TOKEN, on_dtmf=operator))
        async with serve_asgi(app) as url:
            async with Served(emu, app, url).phone() as phone:
                await streaming(app, phone.call_sid)
                with anyio.fail_after(10):
                    await phone.press("0")
                    while not pressed:
                        await anyio.sleep(0.01)
                    await anyio.sleep(0.2)
                    await phone.press("0")  # the caller tries again
                    while len(pressed) < 2:
                        await anyio.sleep(0.01)
                assert app.calls[phone.call_sid].state == "active"
