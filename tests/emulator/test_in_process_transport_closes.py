"""The in-process transport (``Emulator.transport``) closes both its ends: what it sends on
its close, and what it reads once the emulator's side is over, or on its close when nobody
is reading. Before, the end it read was left for the garbage collector, which warned of it
(``ResourceWarning: Unclosed <MemoryObjectReceiveStream>``) on whatever ran next."""

from __future__ import annotations

import gc
import warnings

import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


async def test_a_session_over_the_in_process_transport_leaves_nothing_open() -> None:
    agent = rtagents.Agent(name="t", output_modalities=["text"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        async with Emulator(model=ScriptedModel(["hello"])) as emu:
            async with rtagents.connect(agent, transport=emu.transport) as session:
                events = await session.ask("hi")
                assert events[-1].type == "response.done"
        gc.collect()
    unclosed = [str(w.message) for w in caught if "MemoryObject" in str(w.message)]
    assert not unclosed, unclosed
