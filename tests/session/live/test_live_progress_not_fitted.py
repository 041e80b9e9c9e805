"""GPT-Live takes at most 500 tokens in one commentary append (protocol.live.fit_note: a
non-ASCII character counted as two tokens, so that the count errs short). A tool's progress
update goes to GPT-Live as commentary, and was capped at 500 *characters* only: 400 CJK
characters passed, were sent whole, and by the library's own rule do not fit (the real server
refuses them whole; the app was told ``progress.spoken`` all the same). ``progress`` refuses
such an update where it is given (``ValueError``), as it refuses one past 500 characters."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.protocol import live as lp
from tests.session.live.harness import speak, until

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

UPDATE = "進捗" * 200  # 400 characters: under MAX_PROGRESS_CHARS
refused: list[str] = []


@rtagents.tool
async def slow(ctx: rtagents.ToolContext) -> str:
    """A slow lookup."""
    try:
        await ctx.progress(UPDATE)
    except ValueError as exc:
        refused.append(str(exc))
    await ctx.progress(UPDATE[:100])  # one that fits goes as ever
    await anyio.sleep(0.3)
    return "ok"


async def test_a_progress_update_past_one_append_is_refused_where_it_is_given() -> None:
    agent = rtagents.Agent(instructions="Lookups.", tools=[slow])
    async with Emulator(model=ScriptedModel([CallFunction("slow", {}), "Done."])) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            await until(session, lambda s: any(e.type == "progress.spoken" for e in s))
            with anyio.fail_after(5):  # (the emulator reads it a moment later)
                while not [
                    e for e in emu.last.received if e["type"] == "session.commentary.append"
                ]:
                    await anyio.sleep(0.01)
            notes = [
                e["content"] for e in emu.last.received if e["type"] == "session.commentary.append"
            ]
    assert refused and "GPT-Live" in refused[0], refused
    assert notes == [UPDATE[:100]]
    assert all(lp.fit_note(n) is None for n in notes)
