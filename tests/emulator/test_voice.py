"""The emulator's voice: espeak-ng speaks the model's words when it is installed (checked
against espeak-ng's own output, resampled by sox), the tone voice otherwise, and a voice
runs in a worker thread so that no connection waits for another's speech."""

from __future__ import annotations

import base64
import json
import threading
import wave
from array import array
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator import audio as emu_audio
from rtagents.emulator.actions import AskModel, Send, Speak
from rtagents.emulator.core import ServerCore
from rtagents.emulator.models import Say
from rtagents.emulator.settings import ServerSettings
from rtagents.emulator.voice import EmulatorVoice, tones, wav_pcm16
from rtagents.emulator.voice import espeak as espeak_voice
from tests.speech import espeak, sox

from .live.sansio import quiet, speech
from .live.wire import LiveWire
from .wire import Wire

pytestmark = pytest.mark.anyio
SENTENCE = "The weather in Paris is sunny and mild today, with a light breeze from the west."
WORDS = len(SENTENCE.split())


# -- what speech looks like ----------------------------------------------------------------


def espeak_reference(tmp_path: Path, text: str = SENTENCE) -> np.ndarray:
    """espeak-ng's own WAV for ``text``, resampled to 24 kHz by sox: the oracle."""
    raw = espeak(text, tmp_path / "raw.wav")
    out = sox(raw, tmp_path / "24k.wav", "-r", "24000", "-c", "1", "-b", "16")
    with wave.open(str(out)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """The best normalised correlation of two signals within a few ms of each other."""
    best = 0.0
    for lag in range(-48, 49, 2):  # +-2 ms: resamplers differ in their delay
        x, y = (a[lag:], b) if lag >= 0 else (a, b[-lag:])
        n = min(len(x), len(y))
        x, y = x[:n], y[:n]
        best = max(best, float(np.dot(x, y) / (np.linalg.norm(x) * np.linalg.norm(y) or 1)))
    return best


def high_band(pcm: np.ndarray, rate: int = 24_000) -> float:
    """The share of the energy above 1 kHz: a voice's formants and fricatives have plenty;
    the tone voice (180-552 Hz sines) has none."""
    spectrum = np.abs(np.fft.rfft(pcm)) ** 2
    return float(spectrum[np.fft.rfftfreq(len(pcm), 1 / rate) > 1000].sum() / spectrum.sum())


def words_per_minute(samples: int, rate: int = 24_000) -> float:
    return WORDS / (samples / rate) * 60


async def realtime_answer(emu: Emulator) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """One spoken response to ``response.create``: its audio, and its events."""
    wire = await Wire.open(emu.url)
    await wire.send({"type": "response.create"})
    events = await wire.until("response.done", timeout=15)
    pcm = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    await wire.ws.close()
    return np.frombuffer(pcm, "<i2").astype(float), events


# -- espeak-ng ------------------------------------------------------------------------------


async def test_a_realtime_response_is_espeak_speech_of_its_words(tmp_path: Path) -> None:
    async with Emulator(model=ScriptedModel([SENTENCE]), voice="espeak") as emu:
        assert emu.voice == "espeak"
        heard, events = await realtime_answer(emu)
    async with Emulator(model=ScriptedModel([SENTENCE]), voice="tones") as emu:
        assert emu.voice == "tones"
        toned, _ = await realtime_answer(emu)
    reference = espeak_reference(tmp_path)

    # What espeak-ng itself says, sample for sample (but for the resampler's rounding).
    assert abs(len(heard) - len(reference)) < 24 * 5
    assert correlation(heard, reference) > 0.95
    assert correlation(toned, reference) < 0.3
    # Speech: a speaking rate, and a spectrum no tone voice has.
    assert 140 < words_per_minute(len(heard)) < 300
    assert high_band(heard) > 0.1 > 0.01 > high_band(toned)
    # The transcript comes word by word, spread over the audio, and adds up to the text.
    kinds = [e["type"] for e in events]
    transcript = [e for e in events if e["type"] == "response.output_audio_transcript.delta"]
    assert "".join(e["delta"] for e in transcript) == SENTENCE and len(transcript) == WORDS
    audio_at = [i for i, k in enumerate(kinds) if k == "response.output_audio.delta"]
    text_at = [i for i, k in enumerate(kinds) if k == "response.output_audio_transcript.delta"]
    assert text_at[0] < audio_at[0] and text_at[-1] < audio_at[-1]
    assert sum(audio_at[0] < i < audio_at[-1] for i in text_at) == WORDS - 1
    done = next(e for e in events if e["type"] == "response.done")["response"]
    assert done["usage"]["output_token_details"]["audio_tokens"] == len(heard) // 24 // 50


async def test_a_live_utterance_is_espeak_speech_of_its_words(tmp_path: Path) -> None:
    model = ScriptedModel([Say(SENTENCE)])
    async with Emulator(model=model, voice="espeak", transcribe=lambda pcm, ms: "Hi.") as emu:
        wire = await LiveWire.open(emu.live_url)
        await wire.send({"type": "session.start", "session": {"model": "gpt-live-1"}})
        await wire.until("session.started")
        await wire.send({"type": "session.input_audio.append", "audio": speech(600)})
        await wire.send({"type": "session.input_audio.append", "audio": quiet(400)})
        events = await wire.until("session.usage.updated", timeout=15)
        await wire.close()
    pcm = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "session.output_audio.delta"
    )
    heard = np.frombuffer(pcm, "<i2").astype(float)
    assert correlation(heard, espeak_reference(tmp_path)) > 0.95
    spoken = [e for e in events if e["type"] == "session.output_transcript.delta"]
    assert "".join(e["delta"] for e in spoken) == SENTENCE
    # The transcript's times tile the speech's: where each word is heard.
    assert spoken[-1]["end_ms"] - spoken[0]["start_ms"] == pytest.approx(len(heard) / 24, abs=WORDS)


def test_espeak_output_is_read_from_its_streamed_wav() -> None:
    # espeak-ng --stdout cannot seek back: its header's sizes are placeholders.
    header = b"RIFF\xff\xff\xff\x7fWAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x22\x56\x00\x00"
    header += b"\x44\xac\x00\x00\x02\x00\x10\x00data\xff\xff\xff\x7f"
    assert wav_pcm16(header + b"\x01\x00\x02\x00\x03") == (b"\x01\x00\x02\x00", 22050)
    with pytest.raises(ValueError, match="not mono PCM16"):
        wav_pcm16(header.replace(b"\x01\x00\x01\x00", b"\x01\x00\x02\x00", 1) + b"\x00" * 4)
    with pytest.raises(ValueError, match="not a WAV"):
        wav_pcm16(b"ID3 something else")


def test_without_the_audio_extra_espeak_is_resampled_by_interpolation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    from rtagents.emulator.voice import to_24k
    from rtagents.errors import ExtraMissing

    pcm = (np.sin(np.arange(22_050) * 2 * np.pi * 440 / 22_050) * 9000).astype("<i2").tobytes()
    band_limited = np.frombuffer(to_24k(pcm, 22_050), "<i2").astype(float)

    def missing(*args: object) -> bytes:
        raise ExtraMissing("audio at other rates", "soxr", "audio")

    module = importlib.import_module("rtagents.audio.resample")
    monkeypatch.setattr(module, "resample", missing)
    linear = np.frombuffer(to_24k(pcm, 22_050), "<i2").astype(float)
    assert len(linear) == len(band_limited) == 24_000
    assert correlation(linear, band_limited) > 0.99


# -- without espeak-ng ----------------------------------------------------------------------


async def test_without_espeak_auto_is_tones_and_espeak_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng to be found
    with pytest.raises(ValueError, match="voice='espeak' needs espeak-ng on PATH"):
        Emulator(voice="espeak")
    with pytest.raises(ValueError, match="voice must be"):
        Emulator(voice="festival")  # type: ignore[arg-type]
    async with Emulator(model=ScriptedModel([SENTENCE])) as emu:
        assert emu.voice == "tones"
        heard, _ = await realtime_answer(emu)
    assert heard.astype("<i2").tobytes() == emu_audio.synthesize(SENTENCE).tobytes()


# -- a voice of your own, in its thread -----------------------------------------------------


async def test_a_slow_voice_never_holds_up_another_connection() -> None:
    entered, release = threading.Event(), threading.Event()
    timed_out: list[str] = []

    def slow(text: str) -> bytes:
        entered.set()
        # Released once the other connection was served: if the voice held the event
        # loop, that could never happen, and this wait would time out.
        if not release.wait(10):
            timed_out.append(text)
        return tones(text)

    model = ScriptedModel(["Slowly said.", "Quick."])
    async with Emulator(model=model, voice=slow) as emu:
        assert emu.voice == "custom"
        first = await Wire.open(emu.url)
        await first.send({"type": "response.create"})
        await first.until("response.content_part.added")
        with anyio.fail_after(5):
            await anyio.to_thread.run_sync(entered.wait)
        other = await Wire.open(emu.url)
        await other.send({"type": "response.create", "response": {"output_modalities": ["text"]}})
        done = (await other.until("response.done"))[-1]
        assert done["response"]["status"] == "completed" and not release.is_set()
        release.set()
        events = await first.until("response.done")
    assert not timed_out
    pcm = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    assert pcm == tones("Slowly said.")


def test_a_core_asks_for_speech_and_does_not_speak_itself() -> None:
    spoken: list[str] = []
    voice = EmulatorVoice("custom", lambda text: spoken.append(text) or b"")
    core = ServerCore(ServerSettings(voice=voice))
    core.start()
    core.receive(json.dumps({"type": "response.create"}))
    actions = drain(core)
    ask = next(a for a in actions if isinstance(a, AskModel))
    core.resolve(ask.ticket, [Say("Two words.")])
    request = next(a for a in drain(core) if isinstance(a, Speak))
    assert request.text == "Two words." and spoken == []  # the shell speaks, in a thread
    pcm = array("h", range(-2400, 2400)).tobytes()  # 200 ms
    core.resolve(request.ticket, pcm)
    events = [a.event.model_dump() for a in drain(core) if isinstance(a, Send)]
    deltas = [e for e in events if e["type"] == "response.output_audio.delta"]
    assert b"".join(base64.b64decode(e["delta"]) for e in deltas) == pcm
    words = [e["delta"] for e in events if e["type"] == "response.output_audio_transcript.delta"]
    assert words == ["Two", " words."]


def test_a_cancel_while_the_voice_works_ends_the_response_without_audio() -> None:
    voice = EmulatorVoice("custom", lambda text: b"")
    core = ServerCore(ServerSettings(voice=voice))
    core.start()
    core.receive(json.dumps({"type": "response.create"}))
    ask = next(a for a in drain(core) if isinstance(a, AskModel))
    core.resolve(ask.ticket, [Say("Never said.")])
    request = next(a for a in drain(core) if isinstance(a, Speak))
    core.receive(json.dumps({"type": "response.cancel"}))
    events = [a.event.model_dump() for a in drain(core) if isinstance(a, Send)]
    core.resolve(request.ticket, b"\x01\x00" * 2400)  # too late: ignored
    events += [a.event.model_dump() for a in drain(core) if isinstance(a, Send)]
    assert not [e for e in events if e["type"] == "response.output_audio.delta"]
    done = next(e for e in events if e["type"] == "response.done")
    assert done["response"]["status"] == "cancelled"


def test_a_failing_voice_leaves_the_tones_to_speak() -> None:
    core = ServerCore(ServerSettings(voice=EmulatorVoice("custom", lambda text: b"")))
    core.start()
    core.receive(json.dumps({"type": "response.create"}))
    ask = next(a for a in drain(core) if isinstance(a, AskModel))
    core.resolve(ask.ticket, [Say("Still said.")])
    request = next(a for a in drain(core) if isinstance(a, Speak))
    core.resolve(request.ticket, RuntimeError("espeak-ng failed (exit 1)"))
    events = [a.event.model_dump() for a in drain(core) if isinstance(a, Send)]
    deltas = [e for e in events if e["type"] == "response.output_audio.delta"]
    assert b"".join(base64.b64decode(e["delta"]) for e in deltas) == tones("Still said.")
    assert next(e for e in events if e["type"] == "response.done")["response"]["status"] == (
        "completed"
    )


def test_what_a_voice_said_is_cached_and_the_cache_is_bounded() -> None:
    calls: list[str] = []

    def voice(text: str) -> bytes:
        calls.append(text)
        return b"\x00\x01" * len(text)

    chosen = EmulatorVoice("custom", voice)
    assert chosen.cached("Hello.") is None
    assert chosen.speak("Hello.") == chosen.speak("Hello.") == chosen.cached("Hello.")
    assert calls == ["Hello."]
    for n in range(300):
        chosen.speak(f"sentence {n}")
    assert chosen.cached("Hello.") is None and chosen.cached("sentence 299") is not None
    with pytest.raises(TypeError, match="not bytes"):
        EmulatorVoice("custom", lambda text: "text").speak("x")  # type: ignore[arg-type,return-value]


def drain(core: ServerCore) -> list[Any]:
    out = []
    while (action := core.next_action()) is not None:
        out.append(action)
    return out


# -- on the phone ----------------------------------------------------------------------------


async def test_a_twilio_caller_hears_the_emulators_speech(tmp_path: Path) -> None:
    from rtagents.audio.formats import from_pcm16, samples, to_pcm16
    from rtagents.calls import CallServer, TwilioStreams
    from rtagents.testing import TwilioMediaClient, serve_asgi

    raw = espeak("What is the weather in Paris?", tmp_path / "q.wav")
    sox(raw, tmp_path / "q.ul", "-r", "8000", "-c", "1", "-e", "u-law", "-t", "ul")
    question = (tmp_path / "q.ul").read_bytes() + b"\xff" * 4000  # then line silence
    token = "twilio-auth-token-for-tests"
    async with Emulator(model=ScriptedModel([SENTENCE]), voice="espeak") as emu:
        app = CallServer(
            agent=rtagents.Agent(name="phone"),
            webhook_secret="whsec_dGVzdA==",
            api_key="sk-x",
            base_url=emu.http_url,
            twilio=TwilioStreams(auth_token=token),
        )
        async with serve_asgi(app) as url:
            stream = url.replace("http", "ws", 1) + "/twilio"
            async with TwilioMediaClient(stream, auth_token=token, playback="instant") as phone:
                with anyio.fail_after(15):
                    await phone.say(question)
                    while not (sent := sent_ulaw(emu)) or len(phone.received) < sent:
                        await anyio.sleep(0.01)
    # What the phone got: u-law at 8 kHz, the emulator's speech of the sentence.
    heard = np.array(to_pcm16(bytes(phone.received), "audio/pcmu")[::3], dtype=float)
    assert float(np.sqrt(np.mean(heard**2))) / 32768 > 0.02  # sound, not silence
    assert 140 < words_per_minute(len(heard), 8000) < 300
    assert high_band(heard, 8000) > 0.1  # a voice, where tones have nothing above 1 kHz
    # Byte for byte, the emulator's espeak-ng voice in u-law; and near espeak-ng's own output
    # (u-law, and 24 kHz -> 8 kHz through a shorter low-pass than the resampler's).
    said = from_pcm16(samples(espeak_voice(SENTENCE)), "audio/pcmu")
    assert bytes(phone.received[: len(said)]) == said  # (then under 1 ms to a whole ms)
    assert set(phone.received[len(said) :]) <= {0xFF} and len(phone.received) - len(said) < 8
    assert correlation(heard, espeak_reference(tmp_path)[::3]) > 0.6


def sent_ulaw(emu: Emulator) -> int:
    """At least the bytes of audio the emulator sent in its response, once it is done (0
    before): the record keeps each delta as its size in base64 characters (padded: up to
    two more than the bytes)."""
    sent = list(emu.last.sent) if emu.connections else []
    if not any(e["type"] == "response.done" for e in sent):
        return 0
    chars = [
        int(e["delta"].strip("<>").split()[0])
        for e in sent
        if e["type"] == "response.output_audio.delta"
    ]
    return sum(n * 3 // 4 - 2 for n in chars)
