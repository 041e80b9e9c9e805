"""An audio format goes by our short names (``pcm16``, ``pcmu``, ``pcma``), by the Realtime
API's own (``audio/pcm``, ``audio/pcmu``, ``audio/pcma``: what its docs and the openai SDK
write) and by the beta API's (``g711_ulaw``, ``g711_alaw``: what older Twilio guides write),
on both APIs and in ``connect(audio_format=...)``. Any other name is refused where it is
written: ``Agent(...)`` or ``connect(...)``, not at the first configuration."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio

NAMES = {
    "pcm16": ("audio/pcm", 24000),
    "audio/pcm": ("audio/pcm", 24000),
    "pcmu": ("audio/pcmu", None),
    "audio/pcmu": ("audio/pcmu", None),
    "g711_ulaw": ("audio/pcmu", None),
    "pcma": ("audio/pcma", None),
    "audio/pcma": ("audio/pcma", None),
    "g711_alaw": ("audio/pcma", None),
}


@pytest.mark.parametrize("name", sorted(NAMES))
async def test_each_name_reaches_the_realtime_server_as_its_format(name: str) -> None:
    kind, rate = NAMES[name]
    agent = rtagents.Agent(name="a", input_audio_format=name, output_audio_format=name)  # type: ignore[arg-type]
    async with Emulator() as emu:
        async with rtagents.connect(agent, transport=emu.transport()):
            pass
        sent = next(e for e in emu.last.received if e["type"] == "session.update")
    audio = sent["session"]["audio"]
    for side in ("input", "output"):
        assert audio[side]["format"]["type"] == kind
        if rate is not None:
            assert audio[side]["format"]["rate"] == rate


@pytest.mark.parametrize("name", ["audio/pcmu", "g711_ulaw"])
async def test_each_name_fixes_a_lines_audio(name: str) -> None:
    async with Emulator() as emu:
        agent = rtagents.Agent(name="phone")
        async with rtagents.connect(agent, transport=emu.transport(), audio_format=name) as s:  # type: ignore[arg-type]
            assert s.input_format == "audio/pcmu"
        sent = next(e for e in emu.last.received if e["type"] == "session.update")
    assert sent["session"]["audio"]["input"]["format"]["type"] == "audio/pcmu"


@pytest.mark.parametrize("name", ["audio/pcmu", "g711_ulaw", "pcmu"])
async def test_each_name_reaches_gpt_live_as_its_format(name: str) -> None:
    agent = rtagents.Agent(name="a", input_audio_format=name)  # type: ignore[arg-type]
    async with Emulator() as emu:
        async with rtagents.connect(agent, transport=emu.live_transport(), api="live"):
            pass
        start = next(e for e in emu.last.received if e["type"] == "session.start")
    assert start["session"]["audio"]["format"] == {"type": "audio/pcmu", "rate": 8000}


@pytest.mark.parametrize("field", ["input_audio_format", "output_audio_format"])
@pytest.mark.parametrize("name", ["mp3", "PCM16", "audio/opus", ""])
def test_an_unknown_name_is_refused_when_the_agent_is_made(field: str, name: str) -> None:
    with pytest.raises(ValueError, match=f"{field}: unknown audio format {name!r}") as caught:
        rtagents.Agent(name="a", **{field: name})
    assert "pcm16" in str(caught.value) and "audio/pcmu" in str(caught.value)


def test_a_format_that_is_not_a_name_or_a_format_model_is_refused() -> None:
    with pytest.raises(TypeError, match="input_audio_format"):
        rtagents.Agent(name="a", input_audio_format={"type": "audio/pcmu"})  # type: ignore[arg-type]


async def test_an_unknown_name_is_refused_by_connect_before_it_connects() -> None:
    async with Emulator() as emu:
        with pytest.raises(ValueError, match=r"audio_format=...\): unknown audio format 'mulaw'"):
            rtagents.connect(rtagents.Agent(name="a"), url=emu.url, audio_format="mulaw")  # type: ignore[arg-type]
        assert emu.connections == []


def test_the_models_are_taken_as_they_are() -> None:
    from rtagents import protocol as p

    given: Any = p.AudioPCM(type="audio/pcm", rate=24000)
    assert rtagents.Agent(name="a", input_audio_format=given).input_audio_format is given
