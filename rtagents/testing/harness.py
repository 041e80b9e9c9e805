"""Run an agent against the emulator with a scripted model, and record what happened."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio

from ..agent import Agent
from ..emulator import Emulator, ScriptedModel
from ..emulator.models import Model, TurnSource
from ..session import connect
from .record import SessionRecord


async def run_agent(
    agent: Agent,
    script: Sequence[TurnSource] | Model,
    say: str | Sequence[str],
    *,
    within: float = 30,
    **emulator_options: Any,
) -> SessionRecord:
    """Start an emulator playing ``script``, send each of ``say``, wait for each answer.

    An answer is the response that ends with an assistant message (tool calls and
    approvals in between are followed through). Returns a :class:`SessionRecord`.
    """
    model = script if hasattr(script, "respond") else ScriptedModel(list(script))
    messages = [say] if isinstance(say, str) else list(say)
    record = SessionRecord()
    async with Emulator(model=model, **emulator_options) as emu:
        async with connect(agent, url=emu.url) as session:
            with anyio.fail_after(within):
                for text in messages:
                    record.events += await session.ask(text)
        record.client_events = list(emu.last.received)
    record.model_contexts = list(getattr(model, "contexts", []))
    return record


class Realtime:
    """What the ``realtime`` pytest fixture gives: ``await realtime.run(agent, script, say)``."""

    async def run(
        self,
        agent: Agent,
        script: Sequence[TurnSource] | Model,
        say: str | Sequence[str],
        **options: Any,
    ) -> SessionRecord:
        return await run_agent(agent, script, say, **options)
