"""Rule broken: "a closed session is freed by reference counting alone ... no part of it is
left in a reference cycle" (docs/deployment.md, "Many sessions in one process"), for a
Realtime session the app closes (or cancels) while it reconnects after a drop.

The reader's ``_failed`` (session/reader.py) re-raises the ``CancelledError`` it was handed
(``raise exc``): the exception's traceback then holds ``_failed``'s frame, whose locals hold
the exception and the session's runner: ``CancelledError -> traceback -> frame(_failed) ->
CancelledError``, with the whole session hanging off it. Only a full collection frees it,
and under ``gc.freeze()`` (``rtagents serve``, ``--refreeze``) nothing does.
"""

from __future__ import annotations

import weakref
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from tests.session.cycles import SESSIONS, alive_before_any_collection

pytestmark = pytest.mark.anyio


async def test_a_session_closed_while_it_reconnects_leaves_no_cycle() -> None:
    agent = rtagents.Agent(name="r", output_modalities=["text"])
    async with Emulator(model=ScriptedModel([], then="ok"), record=0, keep_closed=1) as emu:

        async def one() -> weakref.ref[Any]:
            slow = rtagents.Reconnect(backoff=0.5)  # the app closes the call before it is back
            async with rtagents.connect(agent, url=emu.url, reconnect=slow) as session:
                await session.ask("hi")
                emu.last.drop()  # the network drops
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "session.reconnecting":
                            break
                    else:
                        pytest.fail("the session ended without reconnecting")
                ref = weakref.ref(session._runner)
            return ref

        alive = await alive_before_any_collection(one)
    assert alive == 0, (
        f"{alive} of {SESSIONS} sessions closed while reconnecting were not freed by reference "
        "counting (CancelledError -> traceback -> reader._failed's frame -> CancelledError)"
    )
