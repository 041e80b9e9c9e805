"""A client that sends and never reads makes the emulator queue answers without bound.

``Connection._read`` feeds every frame into the core as it arrives, whatever ``_write`` has
managed to send; the core's ``Outbox`` (a plain deque) takes each answer. Once the client
stops reading, ``_write`` waits on the socket (uvicorn's ``writable``) while ``_read`` goes
on reading: nothing pushes back on the client, and every frame it sends adds an event the
server holds in memory for ever (here 20,000 frames: ~15,000 events, ~35 MB).

docs/emulator.md: "Memory is bounded" (the recorded frames, the closed connections, the
input audio buffer); a hostile client must not be able to grow a shared emulator's memory
without limit. Stopping reading while the unsent answers are past a high-water mark would
let TCP push back (the client's sends block), as on any server with flow control.
"""

from __future__ import annotations

import json

import anyio
import pytest
from websockets.asyncio.client import connect

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio

BOUND = 2_000
"""Events queued for one connection: far more than any real exchange leaves unsent."""


async def test_a_client_that_never_reads_cannot_make_the_server_queue_without_bound() -> None:
    async with Emulator() as emu:
        # max_queue=1: the client library stops reading the socket at once (it never reads).
        ws = await connect(emu.url + "?model=gpt-realtime", max_queue=1)
        frame = json.dumps({"type": "no.such.event", "event_id": "x" * 400})
        with anyio.move_on_after(10):  # with backpressure, the sends block: that is fine
            for _ in range(20_000):
                await ws.send(frame)
        await anyio.sleep(0.5)
        queued = len(emu.last.core.out._events)
        # Today: about 15,000 error events waiting in the core's outbox.
        assert queued < BOUND, f"{queued} events queued for a client that does not read"
        ws.transport.abort()
