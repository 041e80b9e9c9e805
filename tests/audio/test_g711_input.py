"""`rtagents run --in` and `LocalVoice` send 24 kHz pcm16 whatever the agent's input
format is. An agent with input_audio_format="pcmu" (docs/agent.md offers it) gets its pcm16
bytes read as u-law: noise that never goes silent, so server VAD never ends the turn and
`rtagents run --in` waits forever. Right behaviour: encode the microphone / file audio in
the session's input format (formats.Encoder / from_pcm16), as the output side already
decodes with to_pcm16(delta, session.output_format)."""

from __future__ import annotations

import math
import struct
import subprocess
import sys
import wave
from pathlib import Path

import anyio

import rtagents
from rtagents.audio import LocalVoice
from rtagents.emulator import Emulator, ScriptedModel, audio
from rtagents.testing import FakeAudioDevice

AGENTS = """
import rtagents

@rtagents.tool
def get_weather(city: str) -> str:
    \"\"\"Current weather for a city.\"\"\"
    return f"sunny in {city}"

pcm_agent = rtagents.Agent(name="pcm", tools=[get_weather])
ulaw_agent = rtagents.Agent(name="ulaw", tools=[get_weather],
                            input_audio_format="pcmu", output_audio_format="pcmu")
"""


def _tone_wav(path: Path) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 16_000)))
                for i in range(16_000)
            )
        )


def _run(tmp_path: Path, agent: str) -> subprocess.CompletedProcess[str] | None:
    (tmp_path / "review_agents.py").write_text(AGENTS)
    _tone_wav(tmp_path / "q.wav")
    try:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "rtagents",
                "run",
                f"review_agents:{agent}",
                "--in",
                "q.wav",
                "--hears",
                "weather in Paris",
            ],
            capture_output=True,
            text=True,
            timeout=25,
            cwd=tmp_path,
        )
    except subprocess.TimeoutExpired:
        return None


def test_run_in_with_a_g711_agent_answers_like_a_pcm_agent(tmp_path: Path) -> None:
    control = _run(tmp_path, "pcm_agent")
    assert control is not None and "-> get_weather(city='Paris')" in control.stdout
    result = _run(tmp_path, "ulaw_agent")
    assert result is not None, "rtagents run --in with a pcmu agent hung (no turn ever ended)"
    assert "-> get_weather(city='Paris')" in result.stdout


def test_local_voice_sends_the_session_input_format() -> None:
    heard_ms: list[int] = []
    speech = audio.tone(1000).tobytes()  # 1 s at 24 kHz
    device = FakeAudioDevice(bytes(9600) + speech + bytes(96_000), rate=24_000, speed=8)
    voice = LocalVoice(device, duplex="full")

    def transcribe(pcm: object, ms: int) -> str:
        heard_ms.append(ms)
        return "hello"

    async def main() -> None:
        async with Emulator(model=ScriptedModel(["Hi."]), transcribe=transcribe) as emu:
            agent = rtagents.Agent(input_audio_format="pcmu", output_audio_format="pcmu")
            async with rtagents.connect(agent, url=emu.url, player=voice.player) as s:
                async with anyio.create_task_group() as tg:
                    tg.start_soon(voice.run, s)
                    with anyio.move_on_after(8):
                        while not heard_ms:
                            await anyio.sleep(0.05)
                    await s.close()

    anyio.run(main)
    # A turn of about 1 s of speech (plus VAD padding) should have been heard.
    assert heard_ms and max(heard_ms) < 2500, f"turns heard (ms): {heard_ms}"
