"""The emulator keeps a GPT-Live session whose connection dropped for ``live_resume_s`` only:
once that window has run out it is let go, whether or not a client ever asks to resume a
session (at the latest when another session drops: at most the last one dropped may wait for
that). A long-running emulator (``rtagents emulator``) does not grow with every dropped
GPT-Live session: each kept entry holds the session's whole core (its conversation)."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio

SESSIONS = 20


async def test_dropped_live_sessions_are_let_go_after_their_resume_window() -> None:
    agent = rtagents.Agent(name="live")
    async with Emulator(live_resume_s=0.05) as emu:
        for _ in range(SESSIONS):
            async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=None) as s:
                emu.last.drop()  # the server side drops it: resumable for live_resume_s
                with anyio.fail_after(10):
                    async for _event in s:
                        pass
        await anyio.sleep(0.5)  # every resume window has run out (ten times over)
        kept = len(emu._dropped_live)
        closed_kept = len(emu.connections)
    assert closed_kept <= 16  # (closed connections are bounded by keep_closed)
    assert kept <= 1, f"{kept} dropped GPT-Live sessions (whole cores) still kept"
