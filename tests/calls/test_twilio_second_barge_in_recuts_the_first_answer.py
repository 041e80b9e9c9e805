"""Review (twilio): a second barge-in, over an answer the caller has heard nothing of yet,
truncates the *previous* answer again and reports it as the interrupted item.

The caller talks over answer A after 400 ms (A is truncated there, ``clear`` sent: right).
The model answers again (B); its audio reaches Twilio, but before a single mark of B is
echoed the caller talks again. Nothing of B was played, so docs/voice.md says no truncate
is sent ("When nothing was played, no truncate is sent") and the player is cleared. Instead
the session asks the player about A (``Playback._before`` still lists it, and
``TwilioPlayer`` still remembers A's echoed marks), sends ``conversation.item.truncate`` for
A a second time and emits ``audio.interrupted`` naming A with A's old ``played_ms``: the app
(and its traces) are told the caller was cut off in an answer that was already over.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, TwilioStreams
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi
from tests.speech import espeak, sox

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-review"
LONG = "This answer goes on for a while, long enough for the caller to talk over it. " * 3


@pytest.fixture(scope="module")
def ulaw(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("twilio_second_barge_in")
    raw = espeak("What is the weather in Paris?", folder / "raw.wav")
    sox(raw, folder / "speech.ul", "-r", "8000", "-c", "1", "-e", "u-law", "-t", "ul")
    return (folder / "speech.ul").read_bytes() + b"\xff" * 4000


async def test_a_second_barge_in_over_an_unheard_answer_does_not_recut_the_first(
    ulaw: bytes,
) -> None:
    agent = rtagents.Agent(
        name="phone", turn_detection=rtagents.protocol.ServerVad(silence_duration_ms=300)
    )
    interrupted: list[tuple[str | None, int | None]] = []
    async with Emulator(model=ScriptedModel([LONG, LONG], then="")) as emu:
        app = CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            twilio=TwilioStreams(auth_token=TOKEN),
        )
        async with serve_asgi(app) as url:
            ws = url.replace("http", "ws", 1) + "/twilio"
            async with TwilioMediaClient(ws, auth_token=TOKEN, playback="manual") as phone:
                with anyio.fail_after(20):
                    while not (phone.call_sid in app.calls and app.calls[phone.call_sid].session):
                        await anyio.sleep(0.01)
                    session = app.calls[phone.call_sid].session
                    session.on("audio.interrupted")(
                        lambda e: interrupted.append((e.item_id, e.played_ms))
                    )
                    await phone.say(ulaw)
                    await phone.wait_for_audio(2000)  # answer A
                    await phone.play_out(400)  # the caller hears 400 ms of A...
                    await anyio.sleep(0.1)
                    await phone.say(ulaw)  # ...and talks over the rest
                    while phone.clears < 1:
                        await anyio.sleep(0.01)
                    await phone.wait_for_audio(phone.received_ms + 1000)  # answer B queued
                    await phone.say(ulaw)  # talks again before hearing any of B
                    while phone.clears < 2:
                        await anyio.sleep(0.01)
                    await anyio.sleep(0.3)  # a truncate, if any, reaches the server
                answers = [
                    i.id for i in session.history if i.type == "message" and i.role == "assistant"
                ]
            sent: list[Any] = emu.last.received
    truncates = [
        (e["item_id"], e["audio_end_ms"]) for e in sent if e["type"] == "conversation.item.truncate"
    ]
    first, second = answers[0], answers[1]
    assert len(interrupted) == 2
    assert [t[0] for t in truncates] == [first], (
        f"truncates sent: {truncates} (A={first}, B={second}): the second barge-in heard "
        "nothing of B, yet cut A again"
    )
    assert interrupted[1][0] == second, (
        f"audio.interrupted of the second barge-in names {interrupted[1]}, not B ({second})"
    )
