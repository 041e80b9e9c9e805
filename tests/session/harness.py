"""The session tests' shorthand over :func:`rtagents.testing.run_session` (in process)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rtagents
from rtagents.emulator import Emulator
from rtagents.testing import Drive, SessionRecord, run_session


async def run_agent(
    agent: rtagents.Agent,
    model: Any,
    script: Drive,
    *,
    until: Callable[[SessionRecord], bool],
    timeout: float = 10,
    **emulator_options: Any,
) -> SessionRecord:
    return await run_session(agent, model, script, until=until, within=timeout, **emulator_options)


def responses_done(n: int) -> Callable[[SessionRecord], bool]:
    return lambda run: len(run.of("response.done")) >= n


def say(text: str) -> Drive:
    async def script(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        await session.send_text(text)

    return script
