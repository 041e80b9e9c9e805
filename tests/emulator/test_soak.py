"""The emulator keeps nothing forever: 100 sessions opened and closed leave its memory flat."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
MiB = 2**20


def rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


async def test_a_hundred_sessions_leave_memory_flat() -> None:
    agent = rtagents.Agent(name="soak", output_modalities=["text"])
    async with Emulator(model=ScriptedModel([], then="ok"), keep_closed=4) as emu:

        async def one() -> None:
            async with rtagents.connect(agent, url=emu.url) as session:
                await session.ask("hi")
                await session.send_audio(b"\0" * 48000)  # a second of audio: a large frame

        for _ in range(20):  # warm up: caches, pools, first imports
            await one()
        gc.collect()
        rss_before = rss()
        tracemalloc.start()
        live_before = tracemalloc.get_traced_memory()[0]
        with anyio.fail_after(120):
            for _ in range(100):
                await one()
        await anyio.sleep(0.1)  # let the last connection's end run
        gc.collect()
        live_growth = tracemalloc.get_traced_memory()[0] - live_before
        tracemalloc.stop()
        rss_growth = rss() - rss_before
        assert len(emu.connections) <= 4
        appended = [e for e in emu.last.received if e["type"] == "input_audio_buffer.append"]
        assert appended and appended[0]["audio"] == "<64000 base64 chars>"
    # Stated bounds: live memory back within 2 MiB, RSS within 32 MiB (allocator slack).
    # 100 sessions are enough: an emulator that kept each closed connection grew 5.4 MiB;
    # one that keeps none, 0.5 MiB (the model's contexts, pydantic's cache of strings).
    assert live_growth < 2 * MiB, f"live memory grew {live_growth / MiB:.1f} MiB"
    assert rss_growth < 32 * MiB, f"RSS grew {rss_growth / MiB:.1f} MiB"
