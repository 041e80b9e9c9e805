"""A minimal Realtime peer in its own process, so client CPU is measured alone.

Modes: ``tools`` (each response.create gets a response with one function call; the time
from sending response.done to receiving the next response.create is recorded),
``audio`` (a burst of 20 ms audio deltas, then one response.done) and ``live-tools`` (the
same round trip on GPT-Live: each delegated Responses turn holds one function call; the time
from its ``response.completed`` to the client's ``response.create`` is recorded).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import multiprocessing as mp
import os
import random
import time
from typing import Any

AUDIO_20MS = base64.b64encode(os.urandom(960)).decode()


def _frames_for_call(n: int) -> tuple[list[str], str]:
    rid, iid, cid = f"resp_{n}", f"item_{n}", f"call_{n}"
    item = {
        "id": iid,
        "type": "function_call",
        "status": "completed",
        "name": "noop",
        "call_id": cid,
        "arguments": "{}",
    }
    head = [
        {
            "type": "response.created",
            "event_id": f"e{n}a",
            "response": {
                "id": rid,
                "object": "realtime.response",
                "status": "in_progress",
                "output": [],
            },
        },
        {
            "type": "response.output_item.added",
            "event_id": f"e{n}b",
            "response_id": rid,
            "output_index": 0,
            "item": {**item, "status": "in_progress", "arguments": ""},
        },
        {
            "type": "response.function_call_arguments.done",
            "event_id": f"e{n}c",
            "response_id": rid,
            "item_id": iid,
            "output_index": 0,
            "call_id": cid,
            "name": "noop",
            "arguments": "{}",
        },
        {
            "type": "response.output_item.done",
            "event_id": f"e{n}d",
            "response_id": rid,
            "output_index": 0,
            "item": item,
        },
    ]
    done = {
        "type": "response.done",
        "event_id": f"e{n}e",
        "response": {
            "id": rid,
            "object": "realtime.response",
            "status": "completed",
            "output": [item],
        },
    }
    return [json.dumps(f) for f in head], json.dumps(done)


def _live_frames_for_call(n: int) -> tuple[list[str], str]:
    """One delegated turn with one function call, as GPT-Live wraps a Responses stream."""
    rid, iid, cid, did = f"resp_{n}", f"fc_{n}", f"call_{n}", f"del_{n}"
    item = {"id": iid, "type": "function_call", "status": "completed", "name": "noop"}
    item |= {"call_id": cid, "arguments": "{}"}
    response = {"id": rid, "object": "response", "status": "in_progress", "output": []}
    inner = [
        {"type": "response.created", "sequence_number": 0, "response": response},
        {
            "type": "response.output_item.added",
            "sequence_number": 1,
            "output_index": 0,
            "item": {**item, "status": "in_progress", "arguments": ""},
        },
        {
            "type": "response.function_call_arguments.done",
            "sequence_number": 2,
            "item_id": iid,
            "output_index": 0,
            "arguments": "{}",
        },
        {
            "type": "response.output_item.done",
            "sequence_number": 3,
            "output_index": 0,
            "item": item,
        },
    ]
    delegated = {
        "type": "session.delegation.created",
        "event_id": f"d{n}",
        "offset_ms": n,
        "delegation": {"type": "delegation", "id": did, "target": "responses", "response_id": rid},
    }
    head = [json.dumps(delegated)] + [
        json.dumps(
            {"type": "response.event", "event_id": f"e{n}{k}", "delegation_id": did, "event": e}
        )
        for k, e in enumerate(inner)
    ]
    completed = {
        "type": "response.completed",
        "sequence_number": 4,
        "response": {**response, "status": "completed"},
    }
    done = {
        "type": "response.event",
        "event_id": f"e{n}z",
        "delegation_id": did,
        "event": completed,
    }
    return head, json.dumps(done)


_LIVE_SESSION = {"id": "sess_bench", "status": "active", "expires_at": 2_000_000_000}


async def _serve_live(ws: Any, count: int, results: Any) -> None:
    """GPT-Live's side of the tool round trip: session.start, then delegated calls."""
    latencies: list[float] = []
    sent_done_at = 0.0
    rounds = 0

    async def next_call() -> None:
        nonlocal sent_done_at
        head, done = _live_frames_for_call(rounds)
        for frame in head:
            await ws.send(frame)
        sent_done_at = time.perf_counter()
        await ws.send(done)

    async for raw in ws:
        event = json.loads(raw)
        kind = event["type"]
        if kind == "session.start":
            session = {**_LIVE_SESSION, **event["session"]}
            started = {"type": "session.started", "event_id": "s0", "session": session}
            await ws.send(json.dumps(started))
            await next_call()
        elif kind == "session.update":
            session = {**_LIVE_SESSION, "model": "gpt-live-1"}
            await ws.send(
                json.dumps({"type": "session.updated", "event_id": "s1", "session": session})
            )
        elif kind == "response.create":
            latencies.append(time.perf_counter() - sent_done_at)
            rounds += 1
            if rounds >= count:
                results.put(latencies)
                return
            await next_call()


async def _serve(mode: str, count: int, port_out: Any, results: Any, gap_ms: float) -> None:
    from websockets.asyncio.server import serve
    from websockets.exceptions import ConnectionClosed

    async def handler(ws: Any) -> None:
        with contextlib.suppress(ConnectionClosed):  # clients the scale test cancels
            if mode == "live-tools":
                await _serve_live(ws, count, results)
            else:
                await serve_one(ws)

    async def serve_one(ws: Any) -> None:
        await ws.send(
            json.dumps(
                {
                    "type": "session.created",
                    "event_id": "s0",
                    "session": {"type": "realtime", "id": "sess_bench"},
                }
            )
        )
        streaming: list[asyncio.Task[None]] = []
        latencies: list[float] = []
        sent_done_at = 0.0
        rounds = 0
        async for raw in ws:
            if _APPEND in raw[:64]:
                continue  # the client's audio: read, never parsed (a peer must stay cheap)
            event = json.loads(raw)
            kind = event["type"]
            if kind == "session.update":
                await ws.send(
                    json.dumps(
                        {
                            "type": "session.updated",
                            "event_id": "s1",
                            "session": {"type": "realtime"},
                        }
                    )
                )
                if mode == "stream":
                    streaming.append(asyncio.get_running_loop().create_task(_stream(ws, count)))
                if mode == "audio":
                    started = time.perf_counter()
                    frame = json.dumps(
                        {
                            "type": "response.output_audio.delta",
                            "event_id": "e",
                            "response_id": "r",
                            "item_id": "i",
                            "output_index": 0,
                            "content_index": 0,
                            "delta": AUDIO_20MS,
                        }
                    )
                    for _ in range(count):
                        await ws.send(frame)
                    await ws.send(
                        json.dumps(
                            {
                                "type": "response.done",
                                "event_id": "end",
                                "response": {"id": "r", "status": "completed", "output": []},
                            }
                        )
                    )
                    results.put(time.perf_counter() - started)
            elif kind == "conversation.item.create":
                item = event["item"]
                await ws.send(
                    json.dumps(
                        {
                            "type": "conversation.item.added",
                            "event_id": "ia",
                            "previous_item_id": None,
                            "item": item,
                        }
                    )
                )
            elif kind == "response.create" and mode == "tools":
                if sent_done_at:
                    latencies.append(time.perf_counter() - sent_done_at)
                    rounds += 1
                if rounds >= count:
                    results.put(latencies)
                    latencies, rounds, sent_done_at = [], 0, 0.0
                    await ws.send(
                        json.dumps(
                            {
                                "type": "response.created",
                                "event_id": "x",
                                "response": {"id": "final", "status": "in_progress"},
                            }
                        )
                    )
                    await ws.send(
                        json.dumps(
                            {
                                "type": "response.done",
                                "event_id": "y",
                                "response": {"id": "final", "status": "completed", "output": []},
                            }
                        )
                    )
                    continue
                head, done = _frames_for_call(rounds)
                for frame in head:
                    await ws.send(frame)
                if gap_ms:
                    # A real response ends some time after its last item: the model is
                    # still finishing. Client work done in this gap is not latency.
                    await asyncio.sleep(gap_ms / 1000)
                sent_done_at = time.perf_counter()
                await ws.send(done)

    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as server:
        port_out.put(server.sockets[0].getsockname()[1])
        await asyncio.Future()


_APPEND = '"input_audio_buffer.append"'
# A delta less its send time, which ends it: one string format per delta, so that the peer
# (one process for every session) is not what limits the figure measured.
_DELTA_HEAD = json.dumps(
    {
        "type": "response.output_audio.delta",
        "event_id": "a",
        "response_id": "r",
        "item_id": "i",
        "output_index": 0,
        "content_index": 0,
        "delta": AUDIO_20MS,
    }
)[:-1]


async def _stream(ws: Any, seconds: int) -> None:
    """Real-time audio out (50 deltas a second, stamped with their send time), and a
    response with a tool call every 3 seconds. Each connection's calls start at a phase of
    their own: sessions opened together would otherwise all get their calls in the same
    20 ms, which independent calls never do."""
    start = time.monotonic()
    n = 0
    phase = random.randrange(150)
    try:
        while time.monotonic() - start < seconds:
            n += 1
            await ws.send(f'{_DELTA_HEAD}, "sent_at": {time.time()!r}}}')
            if (n + phase) % 150 == 0:
                head, done = _frames_for_call(n)
                for frame in head:
                    await ws.send(frame)
                await ws.send(done)
            await asyncio.sleep(max(0.0, start + n * 0.02 - time.monotonic()))
    except Exception:
        return  # the client left


def _main(mode: str, count: int, port_out: Any, results: Any, gap_ms: float) -> None:
    _off_the_clients_cores()
    asyncio.run(_serve(mode, count, port_out, results, gap_ms))


def _off_the_clients_cores() -> None:
    """A client pinned to some cores (the scale suite pins itself to one) passes its mask on
    to this process, through fork and exec alike: the peer takes the other cores, so that
    the client's figure is its own core's."""
    if not hasattr(os, "sched_setaffinity"):
        return
    pinned = os.sched_getaffinity(0)
    rest = set(range(os.cpu_count() or 1)) - pinned
    if rest:
        os.sched_setaffinity(0, rest)


class Peer:
    """``with Peer("tools", 200) as peer:`` then connect to ``peer.url``; ``peer.result()``."""

    def __init__(self, mode: str, count: int, gap_ms: float = 0.0) -> None:
        ctx = mp.get_context("spawn")
        self._ports, self._results = ctx.Queue(), ctx.Queue()
        self._proc = ctx.Process(
            target=_main, args=(mode, count, self._ports, self._results, gap_ms), daemon=True
        )
        self._path = "/v1/live/sessions" if mode.startswith("live") else "/v1/realtime"

    def __enter__(self) -> Peer:
        self._proc.start()
        self.url = f"ws://127.0.0.1:{self._ports.get(timeout=30)}{self._path}"
        return self

    def result(self, timeout: float = 120) -> Any:
        return self._results.get(timeout=timeout)

    def __exit__(self, *exc: object) -> None:
        self._proc.terminate()
        self._proc.join(5)
