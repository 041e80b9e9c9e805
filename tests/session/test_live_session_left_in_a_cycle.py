"""Rule broken: "a closed session is freed by reference counting alone, as soon as the app
lets go of it: no part of it is left in a reference cycle, which only a collection would free
and which a freeze would keep for good" (docs/deployment.md, "Many sessions in one process").

Every GPT-Live session (an idle one too, and each GPT-Live SIP call a ``CallServer`` runs)
is left in a cycle: ``DelegatedWork.__init__`` (session/live_stream.py) sets
``orchestrator.batches.sees = self.sees``, a bound method of the work that holds the
orchestrator: ``DelegatedWork -> Orchestrator -> Batches -> bound method -> DelegatedWork``,
with the journal, the transcript and the session's other parts hanging off it.
``rtagents serve`` freezes the heap before it serves, and again with ``--refreeze``: a call up
at a re-freeze is then kept in memory for the process's life once it ends, one session's
worth per call.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel, audio
from tests.session.cycles import SESSIONS, alive_before_any_collection

pytestmark = pytest.mark.anyio


@rtagents.tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


class Weather:
    """Each session's turn: the weather tool, then its answer."""

    def respond(self, ctx: ModelContext) -> list[Any]:
        if ctx.pending_outputs:
            return [f"It is {ctx.pending_outputs[0]['output']}."]
        return [CallFunction("weather", {"city": "Rome"})]


async def test_a_closed_gpt_live_session_leaves_no_cycle() -> None:
    agent = rtagents.Agent(name="live", instructions="Answer.", tools=[weather])
    async with Emulator(model=Weather(), record=0, keep_closed=1) as emu:

        async def one() -> weakref.ref[Any]:
            async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
                await session.send_audio(audio.tone(600).tobytes())
                await session.send_audio(audio.silence(400).tobytes())
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "session.usage.updated":
                            break
                    else:
                        pytest.fail("the session ended before its turn was over")
                ref = weakref.ref(session._runner.core.orchestrator)
            return ref

        alive = await alive_before_any_collection(one)
    assert alive == 0, (
        f"{alive} of {SESSIONS} closed GPT-Live sessions were not freed by reference counting "
        "(DelegatedWork -> Orchestrator -> Batches.sees -> DelegatedWork)"
    )


async def test_a_gpt_live_session_open_at_a_freeze_is_freed_once_closed() -> None:
    """What ``rtagents serve --refreeze`` does while calls are up: ``gc.collect()`` then
    ``gc.freeze()``. A call that ends after it must still be freed."""
    agent = rtagents.Agent(name="live", instructions="Answer.")
    async with Emulator(model=ScriptedModel([], then="Hi."), record=0, keep_closed=1) as emu:
        refs = []
        try:
            for _ in range(SESSIONS):
                async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
                    refs.append(weakref.ref(session._runner.core.orchestrator))
                    gc.collect()
                    gc.freeze()  # the periodic re-freeze, while this call is up
                del session
            await anyio.sleep(0.2)
            gc.collect()  # what a later collection frees: not what was frozen
            kept = sum(ref() is not None for ref in refs)
        finally:
            gc.unfreeze()
    assert kept == 0, f"{kept} of {SESSIONS} closed GPT-Live sessions stay in memory for good"
