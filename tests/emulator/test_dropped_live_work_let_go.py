"""A GPT-Live session kept after its connection dropped is "kept a while (``live_resume_s``)
for a client to attach to again, then let go. Each holds a whole session (its conversation,
its work under way), so none is kept past its window" (emulator/live/kept.py).

Since d5f8cb1 the session's model requests run as detached tasks that a dropped
connection leaves running (``Connection._own`` is cancelled only when the core does not
``keeps_work``). Nothing cancels them when the kept session's window ends
(``KeptSessions.prune`` only forgets the core): a model request in flight at the drop runs on
(a hung one, for ever, holding the session) until the emulator stops. Before, the request
was cancelled with the connection that made it.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak

pytestmark = pytest.mark.anyio


async def test_a_model_request_of_a_session_let_go_is_cancelled() -> None:
    asked, cancelled = anyio.Event(), anyio.Event()

    async def hangs(ctx: ModelContext) -> str:
        asked.set()
        try:
            await anyio.sleep_forever()
        finally:
            cancelled.set()
        return "never"

    async with Emulator(model=ScriptedModel([hangs]), live_resume_s=0.2) as emu:
        agent = rtagents.Agent(name="a")
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=None) as session:
            await speak(session)
            with anyio.fail_after(5):
                await asked.wait()
            emu.last.drop()  # no client attaches again (reconnect is off)
            with anyio.move_on_after(5):
                async for _ in session:
                    pass
        await anyio.sleep(0.6)  # the kept session's window is over: it is let go
        assert not emu.can_resume(emu.connections[-1].core.session["id"])
        with anyio.move_on_after(1):
            await cancelled.wait()
        assert cancelled.is_set(), "the let-go session's model request still runs"
