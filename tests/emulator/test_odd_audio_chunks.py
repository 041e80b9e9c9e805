"""The emulator's server VAD reads pcm16 appends as one byte stream, as the real server does:
``InputAudio.append`` carries a chunk's odd last byte over to the start of the next one. Clients
do send chunks of an odd byte count (a file read in fixed-size blocks, a socket's reads). With
each chunk read on its own and its odd byte dropped, every chunk after the first odd one would
be read one byte off (low and high bytes swapped across samples). Quiet room noise (-55 dBFS)
would become full-scale noise, and server VAD would hear "speech" in silence."""

from __future__ import annotations

import random
from array import array
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


def _room_noise(ms: int) -> bytes:
    rng = random.Random(1)
    return array("h", (rng.randint(-60, 60) for _ in range(24 * ms))).tobytes()  # -55 dBFS


async def _speech_started(chunk: int) -> list[Any]:
    pcm = _room_noise(1500)
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        async with rtagents.connect(rtagents.Agent(name="a"), url=emu.url) as session:
            for start in range(0, len(pcm), chunk):
                await session.send_audio(pcm[start : start + chunk])
            await anyio.sleep(0.3)
        return [e for e in emu.last.sent if e["type"] == "input_audio_buffer.speech_started"]


async def test_even_chunks_of_room_noise_are_silence() -> None:
    assert await _speech_started(960) == []


async def test_odd_chunks_of_the_same_room_noise_are_silence_too() -> None:
    started = await _speech_started(961)
    assert started == [], f"server VAD heard speech in room noise: {started[0]}"
