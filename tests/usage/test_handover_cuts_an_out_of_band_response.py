"""A handover before the time cap (``Reconnect(handover_before_s=)``) is promised "at a
moment no response is active ... so it does not wait for the cap to cut a response off"
(docs/session.md). An out-of-band response (the app's ``create_response(conversation=
"none")``; the session's own progress updates and fillers are out of band too) is not
counted as active: the handover closes the connection under it, the response is cut off,
its ``response.done`` never comes, and the tokens the server billed for it are missing
from ``session.usage`` (docs/usage.md: ``models`` counts out-of-band responses too)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

LONG = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
"""About 5 s of audio at real time (the emulator's pace): well within the cap."""


async def test_a_handover_waits_for_an_out_of_band_response() -> None:
    # Sessions of 12 s (expires_at in whole seconds: 11 to 12 s away), handed over 8.5 s
    # before: due 2.5 to 3.5 s in, while the 5 s aside still speaks, and 8.5 s before the
    # cap: time enough to let it end first.
    agent = rtagents.Agent(name="aside")
    settings = Reconnect(backoff=0.01, handover_before_s=8.5)
    events: list[Any] = []
    async with Emulator(
        model=ScriptedModel([LONG]), realtime=True, audio_chunk_ms=100, max_session_s=12.0
    ) as emu:
        async with rtagents.connect(agent, transport=emu.transport, reconnect=settings) as s:
            s.on("*")(events.append)
            await s.create_response(conversation="none", instructions="Say it all.")
            with anyio.fail_after(15):
                while not any(e.type == "response.done" for e in events):
                    if any(e.type == "session.reconnecting" for e in events):
                        break
                    await anyio.sleep(0.05)
            kinds = [e.type for e in events]
            usage = s.usage
    handed = "session.reconnecting" in kinds
    done = kinds.count("response.done")
    assert not handed or done, (
        "the handover cut off the out-of-band response under way: no response.done, "
        f"usage {usage!r}; warnings: "
        f"{[e.message for e in events if e.type == 'session.warning']}"
    )
