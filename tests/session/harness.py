"""Run an agent against the emulator and collect what happened (for session tests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

import rtagents
from rtagents.emulator import Emulator
from rtagents.testing import sent_outputs


@dataclass
class Run:
    events: list[Any] = field(default_factory=list)
    client_events: list[dict[str, Any]] = field(default_factory=list)

    def of(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.type == kind]

    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.client_events if e.get("type") == kind]

    @property
    def outputs(self) -> dict[str, str]:
        return sent_outputs(self.client_events)


async def run_agent(
    agent: rtagents.Agent,
    model: Any,
    script: Callable[[rtagents.RealtimeSession, Emulator], Awaitable[None]],
    *,
    until: Callable[[Run], bool],
    timeout: float = 10,
    **emulator_options: Any,
) -> Run:
    """Start the emulator, connect, run ``script``, collect events until ``until`` holds."""
    run = Run()
    async with Emulator(model=model, **emulator_options) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(timeout):
                await script(session, emu)
                async for event in session:
                    run.events.append(event)
                    if until(run):
                        break
        run.client_events = emu.last.received
    return run


def responses_done(n: int) -> Callable[[Run], bool]:
    return lambda run: len(run.of("response.done")) >= n


def say(text: str) -> Callable[[rtagents.RealtimeSession, Emulator], Awaitable[None]]:
    async def script(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        await session.send_text(text)

    return script
