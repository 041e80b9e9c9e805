"""Reconnect: 100 random drops over a 200-turn tool conversation, over a real loopback socket.

Each drop comes at a random point of a turn (after the call's arguments, after the output
was sent, after a response was done, on a response.create in flight), by a close 1011, a
TCP reset or the session's time cap. Reported: outputs lost and doubled (both must be 0),
and the time from a drop to ``session.reconnected`` (p50/p99), against the time of a
turn without a drop measured in the same run.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import Any

import anyio

import rtagents
from rtagents.emulator import (
    CallFunction,
    DropConnection,
    Emulator,
    ExpireSession,
    ModelContext,
    Say,
)

from ._stats import summary

TURNS, DROPS = 200, 100
TRIGGERS: list[dict[str, Any]] = [
    {"after": "response.function_call_arguments.done"},
    {"after": "response.done"},
    {"on_client": "conversation.item.create"},
    {"on_client": "response.create"},
]


class _Numbered:
    def respond(self, ctx: ModelContext) -> list[Any]:
        turn = ctx.last_user_text.removeprefix("turn ")
        if any(i.get("call_id") == f"call_{turn}" and "output" in i for i in ctx.items):
            return [Say(f"Answer {turn}.")]
        return [CallFunction("charge", {"amount": int(turn)}, call_id=f"call_{turn}")]


async def _run() -> dict[str, Any]:
    rng = random.Random(11)
    dropped = set(rng.sample(range(TURNS), DROPS))
    runs: Counter[int] = Counter()

    @rtagents.tool
    def charge(amount: int) -> str:
        """Charge the card."""
        runs[amount] += 1
        return f"charged {amount}"

    agent = rtagents.Agent(name="bench", tools=[charge], output_modalities=["text"])
    plain: list[float] = []
    downtimes: list[float] = []
    answers: Counter[str] = Counter()
    settings = rtagents.Reconnect(backoff=0.0, max_backoff=0.05, jitter=0.0)
    async with (
        Emulator(model=_Numbered(), keep_closed=2) as emu,
        rtagents.connect(agent, url=emu.url, reconnect=settings) as session,
    ):
        for turn in range(TURNS):
            if turn in dropped:
                how = rng.choice(["close", "reset", "expired"])
                trigger = rng.choice(TRIGGERS)
                fault: Any = (
                    ExpireSession(**trigger)
                    if how == "expired"
                    else DropConnection(reset=how == "reset", **trigger)
                )
                emu.last.add_fault(fault)
            started = time.perf_counter()
            await session.send_text(f"turn {turn}")
            with anyio.fail_after(30):
                async for event in session:
                    if event.type == "session.reconnected":
                        downtimes.append(event.downtime_s)
                    elif event.type == "response.output_text.done":
                        answers[event.text] += 1
                        if event.text == f"Answer {turn}.":
                            break
            if turn not in dropped:
                plain.append(time.perf_counter() - started)
    lost = sum(1 for n in range(TURNS) if runs[n] == 0)
    doubled = sum(1 for count in runs.values() if count > 1)
    answers_doubled = sum(1 for count in answers.values() if count > 1)
    drop_ms = summary(downtimes, scale=1e3)
    turn_ms = summary(plain, scale=1e3)
    return {
        "turns": TURNS,
        "drops": DROPS,
        "reconnects": len(downtimes),
        "outputs_lost": lost,
        "outputs_doubled": doubled,
        "answers_doubled": answers_doubled,
        "drop_to_reconnected_ms": drop_ms,
        "turn_without_drop_ms": turn_ms,
        "reconnect_vs_turn": round(drop_ms["median"] / turn_ms["median"], 3),
    }


def run() -> dict[str, Any]:
    result: dict[str, Any] = anyio.run(_run)
    return result
