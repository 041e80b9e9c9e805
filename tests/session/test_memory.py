"""Memory is bounded by bytes, not only by count: large frames the app never reads are
dropped oldest first once the buffer holds ``max_buffered_bytes`` of them."""

from __future__ import annotations

import gc
import json
import tracemalloc

import anyio
import pytest

import rtagents
from rtagents.session.stream import _event

from .hostile import hostile_server

pytestmark = pytest.mark.anyio
MiB = 2**20
BUDGET = 32 * MiB
# What may be live on top of the budget: the events' Python objects beside their frames.
# Without the byte budget, the 320 MiB sent here would all be kept. (Live memory is measured
# with tracemalloc: RSS would mostly show glibc keeping freed 8 MiB blocks for reuse.)
SLACK = 16 * MiB


def last_is(session: rtagents.RealtimeSession, kind: str) -> bool:
    stream = session._runner.stream
    return bool(stream._queue) and _event(stream._queue[-1], stream.reread).type == kind


async def test_unread_large_frames_stay_under_the_byte_budget() -> None:
    payload = "A" * (8 * MiB)
    async with hostile_server(max_size=None) as server:
        agent = rtagents.Agent(name="m")
        async with rtagents.connect(
            agent, url=server.url, max_buffered_bytes=BUDGET, max_message_size=None
        ) as session:
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(20):  # never read by the app
                await server.send({"type": "mystery.event", "blob": payload})
                delta = {
                    "type": "response.output_audio.delta",
                    "response_id": "r",
                    "item_id": "i",
                    "output_index": 0,
                    "content_index": 0,
                    "delta": payload,
                }
                await server.send(delta)
            await server.send({"type": "rate_limits.updated", "rate_limits": []})
            with anyio.fail_after(30):
                while not last_is(session, "rate_limits.updated"):
                    await anyio.sleep(0.05)
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
            tracemalloc.stop()
            buffered = session._runner.stream._bytes
            events = [await session.__anext__() for _ in range(3)]
    assert buffered <= BUDGET, buffered
    assert grown < BUDGET + SLACK, f"live memory grew {grown / MiB:.0f} MiB"
    # The app is told what it missed, first thing.
    assert events[0].type == "session.warning" and events[0].detail["dropped"] > 0
    warnings = [e for e in events if e.type == "session.warning" and "unknown event" in e.message]
    for w in warnings:
        assert len(json.dumps(w.detail)) < 1000  # the raw frame is clipped, not kept


@pytest.mark.parametrize("reading", [True, False], ids=["app-reads", "app-away"])
async def test_bad_large_frames_are_freed_without_the_garbage_collector(reading: bool) -> None:
    """A frame that cannot be delivered as it is (an unknown type, a known type that breaks its
    schema, not JSON) is let go as soon as its warning is made: nothing keeps the frame in a
    reference cycle that only a full collection would break."""
    blob = "B" * (4 * MiB)
    frames: list[dict[str, object] | str] = [
        {"type": "mystery.event", "blob": blob},
        {"type": "response.done", "response": {"id": 5, "output": blob}},
        '{"type": "broken", "blob": "' + blob,
    ]
    rounds = 10  # 120 MiB in all, which the cycles used to keep until a collection
    async with hostile_server(max_size=None) as server:
        async with rtagents.connect(
            rtagents.Agent(name="m"), url=server.url, max_message_size=None
        ) as session:
            gc.collect()
            gc.disable()
            tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                warned = 0
                for _ in range(rounds):
                    for frame in frames:
                        await server.send(frame)
                    await server.send({"type": "rate_limits.updated", "rate_limits": []})
                    with anyio.fail_after(30):
                        if reading:
                            async for event in session:
                                warned += event.type == "session.warning"
                                if event.type == "rate_limits.updated":
                                    break
                            else:
                                pytest.fail("the session ended")
                        else:
                            while not last_is(session, "rate_limits.updated"):
                                await anyio.sleep(0.02)
                grown = tracemalloc.get_traced_memory()[0] - before
            finally:
                tracemalloc.stop()
                gc.enable()
    assert not reading or warned == rounds * len(frames)
    assert grown < 16 * MiB, f"live memory grew {grown / MiB:.0f} MiB with the collector off"
