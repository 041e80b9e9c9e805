"""``connect(..., audio_format="pcmu")`` fixes the line's audio "whatever the agent sets"
(docs/session.md). The pin sets the agent's two format fields and drops any format the agent
gives in ``session_options`` (``fixed_audio.speaking``), which is merged last and would win over
the fields. Otherwise an agent that says its format in ``session_options`` would get its own
format sent, and a phone line would be sent PCM16."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

PCM = {"type": "audio/pcm", "rate": 24000}


async def test_the_pinned_format_wins_over_session_options() -> None:
    agent = rtagents.Agent(
        name="browser",
        session_options={"audio": {"input": {"format": PCM}, "output": {"format": PCM}}},
    )
    async with Emulator(model=ScriptedModel([])) as emu:
        async with rtagents.connect(agent, transport=emu.transport(), audio_format="pcmu"):
            audio = emu.last.session["audio"]
    assert (audio["input"]["format"]["type"], audio["output"]["format"]["type"]) == (
        "audio/pcmu",
        "audio/pcmu",
    )
