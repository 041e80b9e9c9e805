"""``rtagents run --in`` with an agent whose server VAD finds the turns but leaves the answer
to the app (``ServerVad(create_response=False)``, the voice-confirmation agent of
docs/approvals.md). The command waits for the server's ``input_audio_buffer.committed``,
then, with no bound, for a ``response.done`` that only an app's ``response.create`` would
bring: nobody asks for one, so the command hangs for good, saying nothing (the same
recording with ``create_response`` left on is answered in about a second). The command is
the app here: it should ask for the answer itself, as it does with ``turn_detection=None``."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

import rtagents
from rtagents._cli_talk import say_recording
from rtagents.emulator import Emulator, ScriptedModel, audio
from tests.cli.harness import rtagents as command

pytestmark = pytest.mark.anyio

AGENT = (
    "import rtagents\n"
    "from rtagents.protocol import ServerVad\n"
    "agent = rtagents.Agent(name='a', instructions='Be brief.',\n"
    "                       turn_detection=ServerVad(create_response=False))\n"
)


async def test_the_recording_is_answered() -> None:
    agent = rtagents.Agent(
        name="confirm", turn_detection=rtagents.protocol.ServerVad(create_response=False)
    )
    recording = audio.silence(200).tobytes() + audio.tone(800).tobytes()
    async with Emulator(model=ScriptedModel(["Hello."]), transcribe=lambda pcm, ms: "hi") as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.move_on_after(12) as scope:
                await say_recording(session, recording)
            sent = [e["type"] for e in emu.last.sent]
    assert "input_audio_buffer.committed" in sent  # the server found the turn
    assert not scope.cancelled_caught, "run --in waited for good: nobody asked for the answer"
    assert "response.done" in sent


def test_the_command_ends(tmp_path: Path) -> None:
    (tmp_path / "confirm_agent.py").write_text(AGENT)
    rtagents.audio.write_wav(
        tmp_path / "q.wav", audio.silence(200).tobytes() + audio.tone(800).tobytes()
    )
    try:
        done = command(
            "run", "confirm_agent:agent", "--in", "q.wav", "--hears", "hi", cwd=tmp_path, timeout=20
        )
    except Exception as exc:  # subprocess.TimeoutExpired
        pytest.fail(f"rtagents run --in did not end: {type(exc).__name__}")
    assert done.returncode == 0, done.stderr
