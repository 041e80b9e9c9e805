"""Local voice with the device layer faked (no sound card here) and everything above it
real: espeak-ng speech at the device's 48 kHz, resampled, sent to an agent on the emulator
over a socket; the answer resampled back and "played" by the fake device's clock."""

from __future__ import annotations

import sys
import wave
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.audio import AudioDeviceError, LocalVoice, SoundDevice
from rtagents.emulator import Emulator, RuleModel, ScriptedModel
from rtagents.errors import ExtraMissing
from rtagents.testing import FakeAudioDevice
from tests.speech import espeak, sox

pytestmark = pytest.mark.anyio
RATE = 48_000


@rtagents.tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


def agent(**options: Any) -> rtagents.Agent:
    return rtagents.Agent(
        name="voice",
        tools=[get_weather],
        transcription=rtagents.protocol.AudioTranscription(model="gpt-4o-mini-transcribe"),
        turn_detection=rtagents.protocol.ServerVad(silence_duration_ms=400),
        **options,
    )


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Speech as the microphone hears it: 48 kHz, then a second of room silence."""
    folder = tmp_path_factory.mktemp("voice")
    raw = espeak("What is the weather in Paris?", folder / "raw.wav")
    at_48k = sox(raw, folder / "48k.wav", "-r", str(RATE))
    with wave.open(str(at_48k)) as w:
        return w.readframes(w.getnframes()) + bytes(2 * RATE)


async def converse(device: FakeAudioDevice, voice: LocalVoice, emu: Emulator) -> list[Any]:
    """Run local voice until the first spoken answer has been played out, then close."""
    events: list[Any] = []
    async with rtagents.connect(agent(), url=emu.url, player=voice.player) as session:
        session.on("*")(events.append)
        async with anyio.create_task_group() as tg:
            tg.start_soon(voice.run, session)
            with anyio.fail_after(20):
                while not any(
                    e.type == "response.done" and e.response.output[-1].type == "message"
                    for e in events
                    if e.type == "response.done" and e.response.output
                ):
                    await anyio.sleep(0.02)
                while voice.player.sounding():  # the answer plays out
                    await anyio.sleep(0.02)
            await session.close()
    return events


async def test_speech_in_through_the_microphone_is_answered_through_the_speaker(
    speech: bytes,
) -> None:
    device = FakeAudioDevice(speech, rate=RATE, speed=8)
    voice = LocalVoice(device)
    async with Emulator(
        model=RuleModel(), transcribe=lambda pcm, ms: "What's the weather in Paris?"
    ) as emu:
        events = await converse(device, voice, emu)
        heard = [e for e in emu.last.received if e["type"] == "input_audio_buffer.append"]
    assert heard, "the microphone reached the server"
    calls = [e for e in events if e.type == "tool.call.completed"]
    assert [c.name for c in calls] == ["get_weather"]
    answer_ms = sum(
        len(e.delta) * 3 // 4 // 48 for e in events if e.type == "response.output_audio.delta"
    )
    assert answer_ms > 500
    # What the device played is the answer, resampled to its rate: within a block or two.
    assert abs(device.sounded_ms() - answer_ms) <= 60


async def test_half_duplex_keeps_the_agent_from_hearing_itself(speech: bytes) -> None:
    """While the answer plays, the microphone picks it up (here: the user speaks again);
    half duplex sends silence instead, so no second turn starts."""
    device = FakeAudioDevice(speech, rate=RATE, speed=8)
    voice = LocalVoice(device, duplex="half")
    long_answer = "This answer goes on for a while, long enough to talk over it. " * 3
    async with Emulator(model=ScriptedModel([long_answer], then="again")) as emu:
        async with rtagents.connect(agent(), url=emu.url, player=voice.player) as session:
            async with anyio.create_task_group() as tg:
                tg.start_soon(voice.run, session)
                with anyio.fail_after(20):
                    while not voice.player.sounding():
                        await anyio.sleep(0.01)
                    device.say(speech)  # the room, while the speaker sounds
                    while voice.player.sounding(voice.tail_ms) or device.mic_left_ms:
                        await anyio.sleep(0.02)
                await session.close()
        started = [e for e in emu.last.sent if e["type"] == "input_audio_buffer.speech_started"]
    assert voice.muted_ms > 500
    assert len(started) == 1, "only the user's first turn was heard"


async def test_full_duplex_barge_in_truncates_at_what_the_speaker_played(speech: bytes) -> None:
    device = FakeAudioDevice(speech, rate=RATE, speed=4)
    voice = LocalVoice(device, duplex="full")
    long_answer = "This answer goes on for a while, long enough to talk over it. " * 4
    async with Emulator(model=ScriptedModel([long_answer], then="yes?")) as emu:
        async with rtagents.connect(agent(), url=emu.url, player=voice.player) as session:
            events: list[Any] = []
            session.on("*")(events.append)
            async with anyio.create_task_group() as tg:
                tg.start_soon(voice.run, session)
                with anyio.fail_after(20):
                    while voice.player.queued_ms < 1000 or not voice.player.sounding():
                        await anyio.sleep(0.01)
                    await anyio.sleep(0.1)
                    device.say(speech)  # the user talks over the answer
                    while not any(e.type == "audio.interrupted" for e in events):
                        await anyio.sleep(0.01)
                await session.close()
        truncates = [e for e in emu.last.received if e["type"] == "conversation.item.truncate"]
    assert len(truncates) == 1
    cut = truncates[0]["audio_end_ms"]
    first = next(e for e in events if e.type == "response.output_audio.delta")
    assert 0 < cut < 10_000
    assert abs(cut - voice.player.played_ms(first.item_id)) <= 40  # what the speaker played
    assert voice.player.queued_ms == 0  # and it stopped


def test_without_portaudio_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pass  # this machine has no PortAudio: the real error path
    else:  # it has one: make the import fail as it does without
        monkeypatch.setitem(sys.modules, "sounddevice", None)
    # No PortAudio is an AudioDeviceError; no sounddevice, the one missing-extra error.
    with pytest.raises((AudioDeviceError, ExtraMissing), match=r"PortAudio|rtagents\[voice\]"):
        SoundDevice()


def test_duplex_is_half_or_full() -> None:
    with pytest.raises(ValueError, match="duplex"):
        LocalVoice(FakeAudioDevice(), duplex="both")  # type: ignore[arg-type]


async def test_a_session_that_falls_behind_loses_the_oldest_audio_not_memory() -> None:
    """The microphone does not wait: when sends stall, at most about 2 s of blocks wait,
    and the oldest are dropped (counted)."""

    class StalledSession:
        config: dict[str, Any] = {}
        input_format = output_format = "audio/pcm"

        def __init__(self) -> None:
            self.sent = 0
            self.closed = anyio.Event()

        async def send_audio(self, pcm: bytes) -> None:
            await anyio.sleep(0.05)  # a send that takes 50 ms
            self.sent += 1

        def __aiter__(self) -> StalledSession:
            return self

        async def __anext__(self) -> Any:
            await self.closed.wait()
            raise StopAsyncIteration

    device = FakeAudioDevice(bytes(2 * RATE * 10), rate=RATE, speed=50)  # 10 s in 0.2 s
    voice = LocalVoice(device, duplex="full")
    session = StalledSession()
    async with anyio.create_task_group() as tg:
        tg.start_soon(voice.run, session)
        await anyio.sleep(0.5)
        session.closed.set()
    assert voice.dropped_blocks > 100
    assert session.sent < 20


async def test_the_same_local_voice_talks_to_gpt_live(speech: bytes) -> None:
    """On GPT-Live the microphone goes out as ``session.input_audio.append`` and the model's
    ``session.output_audio.delta`` plays through the same speaker."""
    device = FakeAudioDevice(speech, rate=RATE, speed=8)
    voice = LocalVoice(device)
    live_agent = rtagents.Agent(name="voice", tools=[get_weather])
    events: list[Any] = []
    async with Emulator(
        model=RuleModel(), transcribe=lambda pcm, ms: "What's the weather in Paris?"
    ) as emu:
        async with rtagents.connect(
            live_agent, url=emu.live_url, api="live", player=voice.player
        ) as session:
            session.on("*")(events.append)
            async with anyio.create_task_group() as tg:
                tg.start_soon(voice.run, session)
                with anyio.fail_after(20):
                    while "sunny in Paris" not in "".join(
                        e.delta for e in events if e.type == "transcript.delta"
                    ) or not any(e.type == "session.usage.updated" for e in events):
                        await anyio.sleep(0.02)
                    while voice.player.sounding():  # the answer plays out
                        await anyio.sleep(0.02)
                await session.close()
    assert [e.name for e in events if e.type == "tool.call.completed"] == ["get_weather"]
    answer_ms = sum(
        len(e.delta) * 3 // 4 // 48 for e in events if e.type == "session.output_audio.delta"
    )
    assert answer_ms > 500
    assert abs(device.sounded_ms() - answer_ms) <= 60
