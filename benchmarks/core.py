"""The wire cores' own cost of a tool round, sans I/O, beside a bare client's parsing.

The round trips of ``session.py`` go through sockets, the event loop and another process:
their figures move by tens of percent with the machine, and fold the cores' decisions in
with everything else. Here each core (``RealtimeCore``, ``LiveCore``) is fed one tool round's
frames as the peer of ``session.py`` sends them, answers the call, and encodes what it
sends, with nothing else running: what the core itself costs a round, steady from run to
run. The baseline is what a bare client does with the same frames: ``json.loads`` each
one, ``json.dumps`` its two replies. Informational: no target (the targets are the round
trips'); it shows where the per-frame work stands, and which API's core costs more.
"""

from __future__ import annotations

import json
import time
from typing import Any

from rtagents.session.actions import Send, StartCall, ToolTraits
from rtagents.session.live import LiveCore
from rtagents.session.realtime import RealtimeCore

from ._peer import _LIVE_SESSION, _frames_for_call, _live_frames_for_call
from ._stats import ratio, summary

ROUNDS = 2_000
REPEATS = 7

Round = tuple[list[str], str, str]
"""One round's frames: those before the call's output, ``response.done`` (or ``completed``),
and the server's answer to the output read with the next round ("": none on GPT-Live)."""


def _realtime_rounds() -> tuple[str, list[Round]]:
    created = {"type": "session.created", "event_id": "s0", "session": {"type": "realtime"}}

    def added(n: int) -> str:  # the peer's answer to the output, read with the next round
        item = {"type": "function_call_output", "call_id": f"call_{n}", "output": "ok"}
        event = {"type": "conversation.item.added", "event_id": f"ia{n}", "item": item}
        return json.dumps(event | {"previous_item_id": None})

    rounds = [(*_frames_for_call(n), added(n)) for n in range(ROUNDS)]
    return json.dumps(created), rounds


def _live_rounds() -> tuple[str, list[Round]]:
    started = {"type": "session.started", "event_id": "s0", "session": _LIVE_SESSION}
    return json.dumps(started), [(*_live_frames_for_call(n), "") for n in range(ROUNDS)]


def _ours(api: str) -> float:
    """Seconds a round: the core reads every frame, answers the call, encodes its sends."""
    core: Any = (LiveCore if api == "live" else RealtimeCore)(lambda name, rid: ToolTraits())
    first, rounds = _live_rounds() if api == "live" else _realtime_rounds()
    core.receive_frame(first)
    sends = started = 0

    def act(actions: list[Any], calls: list[StartCall]) -> None:
        nonlocal sends, started
        for action in actions:
            if type(action) is StartCall:
                calls.append(action)
                started += 1
            elif type(action) is Send:
                event = action.event
                core.encode(event) if not isinstance(event, str) else event
                core.sent(event)
                sends += 1

    began = time.perf_counter()
    for head, done, reply in rounds:
        calls: list[StartCall] = []
        for frame in head:
            act(core.receive_frame(frame), calls)
        for call in calls:
            act(core.call_finished(call.work_id, "ok"), [])
        act(core.receive_frame(done), calls)
        act(core.settle(), calls)
        if reply:
            act(core.receive_frame(reply), calls)
    took = (time.perf_counter() - began) / ROUNDS
    if (started, sends) != (ROUNDS, 2 * ROUNDS):  # a round that went wrong is no figure
        raise RuntimeError(f"{api}: {started} calls and {sends} sends in {ROUNDS} rounds")
    return took


def _bare(api: str) -> float:
    """Seconds a round: the same frames through ``json.loads``, the two replies dumped."""
    _, rounds = _live_rounds() if api == "live" else _realtime_rounds()
    create = "response.item.create" if api == "live" else "conversation.item.create"
    began = time.perf_counter()
    for n, (head, done, reply) in enumerate(rounds):
        for frame in head:
            json.loads(frame)
        json.loads(done)
        output = {"type": "function_call_output", "call_id": f"call_{n}", "output": "ok"}
        json.dumps({"type": create, "item": output})
        json.dumps({"type": "response.create"})
        if reply:
            json.loads(reply)
    return (time.perf_counter() - began) / ROUNDS


def run() -> dict[str, Any]:
    result: dict[str, Any] = {}
    for api in ("realtime", "live"):
        bare: list[float] = []
        ours: list[float] = []
        for _ in range(REPEATS):  # alternating, as the round trips do
            bare.append(_bare(api))
            ours.append(_ours(api))
        b, o = summary(bare), summary(ours)
        result[api] = {
            "what": "one tool round's frames through the wire core alone (read, decide, "
            "answer the call, encode the sends), against json.loads/json.dumps of the same",
            "unit": "us per round",
            "rounds": ROUNDS,
            "baseline_json": b,
            "rtagents_core": o,
            "ratio": ratio(o, b),
        }
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
