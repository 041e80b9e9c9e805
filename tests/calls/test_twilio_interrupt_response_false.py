"""A phone agent configured with ``ServerVad(interrupt_response=False)`` (the caller's
"mm-hmm" over a noisy line must not stop the agent) still has its answer cut on a Twilio
stream: at the caller's ``speech_started`` the session truncates the item and clears the
player, so the bridge sends Twilio a ``clear`` and drops the rest of the answer, though the
server was told not to interrupt it (and the emulator does not).

``interrupt_response``: "Whether or not to automatically interrupt any ongoing response with
output to the default conversation when a VAD start event occurs." The emulator's own
WebRTC playout honours it (``emulator/webrtc/playout.py``); the session's barge-in
(``RealtimeCore._on_speech_started`` -> ``Playback.interrupted``) does not look at it.

Right behaviour: with ``interrupt_response=False`` the caller's speech neither truncates the
answer nor clears Twilio: the caller hears all of it."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, TwilioStreams
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi
from tests.calls.test_twilio import LONG, SECRET, TOKEN, ulaw  # noqa: F401 (the fixture)

pytestmark = pytest.mark.anyio


async def test_interrupt_response_false_keeps_the_answer_playing_on_twilio(ulaw: bytes) -> None:  # noqa: F811
    agent = rtagents.Agent(
        name="phone",
        turn_detection=rtagents.protocol.ServerVad(
            silence_duration_ms=300, interrupt_response=False, create_response=True
        ),
    )
    async with Emulator(model=ScriptedModel([LONG], then="")) as emu:
        app = CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            twilio=TwilioStreams(auth_token=TOKEN),
        )
        async with serve_asgi(app) as url:
            stream = url.replace("http", "ws", 1) + "/twilio"
            async with TwilioMediaClient(stream, auth_token=TOKEN, playback="manual") as phone:
                with anyio.fail_after(20):
                    await phone.say(ulaw)
                    await phone.wait_for_audio(2000)
                    record = app.calls[phone.call_sid]
                    stopped: list[object] = []
                    second = anyio.Event()

                    @record.session.on("input_audio_buffer.speech_stopped")
                    def _stopped(event: object) -> None:
                        stopped.append(event)
                        second.set()

                    await phone.play_out(400)  # the caller hears 400 ms...
                    await phone.say(ulaw)  # ...and says something over the answer
                    await second.wait()  # the session has handled its speech_started
                    # The stream's end comes after anything the player sent before it.
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(app.hangup, phone.call_sid)
                        while phone.closed is None:  # the hang-up waits for the answer's marks
                            await phone.play_out(1000)
                            await anyio.sleep(0.01)
        connection = emu.last
    # (read once the emulator has read all the session sent)
    truncates = [e for e in connection.received if e["type"] == "conversation.item.truncate"]
    cut = [t["audio_end_ms"] for t in truncates]
    assert cut == [], f"the answer was truncated at {cut} ms though interrupt_response=False"
    assert phone.clears == 0
    # The hang-up waited for the answer to be heard (a clear would have ended it at once).
    assert phone.heard_ms == phone.received_ms
