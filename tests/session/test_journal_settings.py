"""``Reconnect(max_items=, max_tokens=)`` bound the journal the session really keeps."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio


async def test_the_reconnect_bounds_reach_the_journal() -> None:
    agent = rtagents.Agent(name="plain", output_modalities=["text"])
    settings = rtagents.Reconnect(max_items=5)
    async with Emulator() as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=settings) as session:
            for n in range(12):
                await session.send_text(f"note {n}", respond=False)
            history = session.history
    assert len(history) == 5
    assert [item.content[0].text for item in history] == [f"note {n}" for n in range(7, 12)]  # type: ignore[union-attr]
