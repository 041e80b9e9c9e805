"""docs/session.md, "Memory when the app reads slowly": events wait in a buffer of at most
``max_buffered_events`` / ``max_buffered_bytes``; "If you only use handlers, pass
``max_buffered_events=0`` and nothing is buffered".

An async handler is the other documented way to follow events, and it can be slow too (a
handler forwarding each audio delta to a browser whose socket is congested). Each event it
matches starts one more task of the session's, holding the event, however many are still
running: nothing bounds them, nothing is dropped, and no ``session.warning`` says so. The
memory the session holds for a slow async handler grows with every event, past both limits.
"""

from __future__ import annotations

import base64
from typing import Any

import anyio
import pytest

import rtagents

from .hostile import hostile_server

pytestmark = pytest.mark.anyio

DELTAS = 3000
CHUNK = base64.b64encode(bytes(4800)).decode()  # 100 ms of pcm16 at 24 kHz


async def test_a_slow_async_handler_does_not_hold_every_event() -> None:
    agent = rtagents.Agent(name="slow")
    unblocked = anyio.Event()
    running = 0
    most = 0
    warnings: list[Any] = []
    async with hostile_server() as server:
        with anyio.fail_after(30):
            async with rtagents.connect(
                agent, url=server.url, max_buffered_events=0, max_buffered_bytes=2**20
            ) as session:

                @session.on("response.output_audio.delta")
                async def forward(event: Any) -> None:  # a congested downstream
                    nonlocal running, most
                    running += 1
                    most = max(most, running)
                    try:
                        await unblocked.wait()
                    finally:
                        running -= 1

                @session.on("session.warning")
                def warned(event: Any) -> None:
                    warnings.append(event)

                seen = anyio.Event()
                session.on("rate_limits.updated")(lambda e: seen.set())
                for _ in range(DELTAS):
                    await server.send(
                        {
                            "type": "response.output_audio.delta",
                            "response_id": "resp_1",
                            "item_id": "msg_1",
                            "output_index": 0,
                            "content_index": 0,
                            "delta": CHUNK,
                        }
                    )
                await server.send({"type": "rate_limits.updated", "rate_limits": []})
                await seen.wait()
                await anyio.sleep(0.05)  # the last handlers' tasks start
                held_tasks = len(session._runner.tasks._running or ())
                unblocked.set()
    held_bytes = most * len(CHUNK)
    dropped = [w for w in warnings if "dropped" in (w.detail or {})]
    assert most <= 2048 or dropped, (
        f"{most} events held at once by a slow async handler ({held_tasks} tasks, "
        f"~{held_bytes / 2**20:.0f} MiB of audio with max_buffered_bytes=1 MiB), none dropped, "
        "no session.warning"
    )


def test_the_behind_warning_comes_after_the_event_it_is_about() -> None:
    # Told from inside the event's delivery, it reached the buffer before that event.
    from rtagents.session import stream as stream_module

    class Tasks:
        def handler(self, *args: Any) -> None:
            args[-1].close()  # (never run: the handlers stay behind)

    stream = stream_module.EventStream(100, tasks=Tasks())

    async def slow(event: Any) -> None:
        pass

    stream.on("x", slow)
    stream._awaiting = stream_module.MOST_AWAITING  # as far behind as they may be
    stream.deliver(type("Event", (), {"type": "x"})())
    kinds = [entry[0].type for entry in stream._queue or ()]
    assert kinds == ["x", "session.warning"], kinds
