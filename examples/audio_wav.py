"""Audio in and out with WAV files (pcm16, 24 kHz, mono): what a voice agent really does.

It streams question.wav to the session in 20 ms chunks, as a microphone would. Server VAD
finds the turn, and the answer's audio is written to answer.wav.

    python examples/audio_wav.py [question.wav]
"""

from __future__ import annotations

import base64
import sys
import wave
from pathlib import Path

import anyio

import rtagents
from rtagents.emulator import Emulator, RuleModel, audio

RATE = 24_000
CHUNK = RATE * 2 // 50  # 20 ms of pcm16


@rtagents.tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


agent = rtagents.Agent(
    name="voice",
    instructions="Answer briefly.",
    tools=[get_weather],
    transcription=rtagents.protocol.AudioTranscription(model="gpt-4o-mini-transcribe"),
    turn_detection=rtagents.protocol.ServerVad(silence_duration_ms=400),
)


def make_question(path: Path) -> None:
    """A stand-in recording: 0.8 s of 'speech' between silences."""
    pcm = audio.silence(200).tobytes() + audio.tone(800).tobytes() + audio.silence(600).tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)


def read_pcm16(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, RATE):
            raise SystemExit(f"{path}: need mono pcm16 at {RATE} Hz")
        return w.readframes(w.getnframes())


async def converse(url: str | None, question: Path, answer: Path) -> list[str]:
    pcm = read_pcm16(question)
    out = bytearray()
    lines = [f"sent {len(pcm) / (RATE * 2):.2f} s of audio from {question.name}"]
    async with rtagents.connect(agent, url=url) as session:
        # A microphone delivers 20 ms at a time; then a second of silence, which is how
        # server VAD hears that the user stopped (a recording may end on a word).
        for start in range(0, len(pcm) + RATE * 2, CHUNK):
            chunk = pcm[start : start + CHUNK]
            await session.send_audio(chunk if chunk else bytes(CHUNK))
        async for event in session:
            if event.type == "conversation.item.input_audio_transcription.completed":
                lines.append(f"user (transcribed): {event.transcript}")
            elif event.type == "tool.call.completed":
                lines.append(f"[tool] {event.name} -> {event.output}")
            elif event.type == "response.output_audio.delta":
                out.extend(base64.b64decode(event.delta))
            elif event.type == "response.output_audio_transcript.done":
                lines.append(f"assistant (spoken): {event.transcript}")
            elif (
                event.type == "response.done"
                and event.response.output
                and event.response.output[-1].type == "message"
            ):
                break
    with wave.open(str(answer), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(out))
    lines.append(f"wrote {len(out) / (RATE * 2):.2f} s of audio to {answer.name}")
    return lines


async def main(real: bool = False, question: str | None = None) -> list[str]:
    source = Path(question) if question else Path("question.wav")
    if question is None:
        make_question(source)
    answer = source.with_name("answer.wav")
    if real:
        return await converse(None, source, answer)
    # The emulator does not understand speech; its transcriber stands in for the model's ears.
    async with Emulator(
        model=RuleModel(), transcribe=lambda pcm, ms: "What's the weather in Paris?"
    ) as emu:
        return await converse(emu.url, source, answer)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    for line in anyio.run(main, "--real" in sys.argv, args[0] if args else None):
        print(line)
