"""A call accepted with an agent's own configuration keeps what the accept gave it while
that same agent runs it: an agent that sets no ``instructions`` runs on the instructions the
accepted call has (tests/calls/test_sideband_first_configure_restates_nothing.py). A sideband
that drops and attaches again to the same call, configuring the same agent again, changes
nothing of the call: the agent's next turn still runs on the accepted call's instructions,
and the reattach's ``session.update`` sends no setting the agent does not set."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.calls import CallsAPI
from rtagents.emulator import Emulator, ModelContext, ScriptedModel
from rtagents.emulator.config import DEFAULT_SESSION
from rtagents.tracing.calls import created_session
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio

FAST = Reconnect(backoff=0.01, max_backoff=0.05, jitter=0)


async def test_a_reattached_sideband_keeps_the_accepted_calls_instructions() -> None:
    seen: list[str] = []

    def answer(ctx: ModelContext) -> str:
        seen.append(ctx.instructions)
        return "Hello."

    desk = rtagents.Agent(name="desk", output_modalities=["text"])  # no instructions
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([answer, answer])) as emu:
        call_id = emu.place_call("http://127.0.0.1:9/unreachable", SECRET)
        api = CallsAPI("-", emu.http_url)
        await api.accept(call_id, created_session(desk))  # as CallServer accepts a call
        await api.aclose()
        async with rtagents.connect(desk, url=emu.url, call_id=call_id, reconnect=FAST) as session:
            session.on("*")(events.append)
            with anyio.fail_after(10):
                await session.ask("Hi")
            emu.connections[-1].drop()
            with anyio.fail_after(10):
                while not any(e.type == "session.reconnected" for e in events):
                    await anyio.sleep(0.02)
                await session.ask("Still there?")
        updates = [
            f["session"]
            for c in emu.connections
            for f in c.received
            if f["type"] == "session.update"
        ]
    assert len(seen) == 2, seen
    assert [u.get("instructions") for u in updates] == [None, None], (
        f"the reattach's session.update set what the agent leaves out: {updates}"
    )
    assert seen[-1] == DEFAULT_SESSION["instructions"], (
        f"after the reattach, the accepted call's instructions were replaced: {seen[-1]!r}"
    )
