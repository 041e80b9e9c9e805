"""The emulator's GPT-Live core takes a note sent again after an attach once; but a note's
event id is the client's own counter (rtagents numbers its events per ``connect()``), so a
second client on the same session (a SIP call's sideband another replica took over) reuses
the first one's ids: its notes are its own, taken and said (a note is told by its id and its
words together)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx2
import pytest
import websockets

from rtagents.emulator import Emulator
from tests.calls.harness import accepted_live_call

pytestmark = pytest.mark.anyio


async def _note(ws: Any, event_id: str, text: str) -> list[str]:
    await ws.send(
        json.dumps(
            {
                "type": "session.thinking.append",
                "event_id": event_id,
                "content": text,
                "delegation_id": None,
            }
        )
    )
    kinds: list[str] = []
    with anyio.move_on_after(1.0):
        async for frame in ws:
            kind = json.loads(frame)["type"]
            kinds.append(kind)
            if kind in ("session.thinking.appended", "error"):
                break
        else:
            pytest.fail(f"the connection closed before the note was answered: {kinds}")
    return kinds


async def test_a_new_sidebands_note_is_not_taken_for_an_old_ones() -> None:
    async with Emulator(live_resume_s=30) as emu, httpx2.AsyncClient() as http:
        call_id, attach = await accepted_live_call(emu, http)
        async with websockets.connect(attach) as first:  # replica a's sideband
            assert "session.thinking.appended" in await _note(first, "evt_live_1", "From a.")
        # replica a drained (a sideband sends no session.close); replica b adopts the call
        async with websockets.connect(attach) as second:
            kinds = await _note(second, "evt_live_1", "From b.")
        assert "session.thinking.appended" in kinds, f"b's note was dropped: {kinds}"
