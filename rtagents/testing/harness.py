"""Run an agent against the emulator with a scripted model, and record what happened."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anyio

from ..agent import Agent
from ..emulator import Emulator, ScriptedModel
from ..emulator.models import Model, TurnSource
from ..session import RealtimeSession, connect
from ..session.session import calls_in_flight
from .record import SessionRecord

Drive = Callable[[RealtimeSession, Emulator], Awaitable[None]]
"""What a test does with the session once it is open (send text, audio, approve, ...)."""


def _model(script: Sequence[TurnSource] | Model) -> Model:
    return script if hasattr(script, "respond") else ScriptedModel(script)


async def run_agent(
    agent: Agent,
    script: Sequence[TurnSource] | Model,
    say: str | Sequence[str],
    *,
    within: float = 30,
    socket: bool = False,
    **emulator_options: Any,
) -> SessionRecord:
    """Start an emulator playing ``script``, send each of ``say``, wait for each answer.

    An answer is the response that ends with an assistant message (tool calls and
    approvals in between are followed through). Returns a ``SessionRecord``.
    The session reaches the emulator in process; ``socket=True`` goes over a real
    websocket on loopback instead.
    """
    messages = [say] if isinstance(say, str) else list(say)

    async def drive(session: RealtimeSession, emu: Emulator) -> None:
        for text in messages:
            record.events += await session.ask(text)

    record = SessionRecord()
    return await _run(agent, script, drive, None, record, within, socket, emulator_options)


async def run_session(
    agent: Agent,
    script: Sequence[TurnSource] | Model,
    drive: Drive,
    *,
    until: Callable[[SessionRecord], bool],
    within: float = 30,
    socket: bool = False,
    **emulator_options: Any,
) -> SessionRecord:
    """The general form: open a session on an emulator playing ``script``, run ``drive``,
    then record events until ``until(record)`` holds (or ``within`` seconds pass, which
    fails saying what was waited for)."""
    return await _run(
        agent, script, drive, until, SessionRecord(), within, socket, emulator_options
    )


async def _run(
    agent: Agent,
    script: Sequence[TurnSource] | Model,
    drive: Drive,
    until: Callable[[SessionRecord], bool] | None,
    record: SessionRecord,
    within: float,
    socket: bool,
    emulator_options: dict[str, Any],
) -> SessionRecord:
    model = _model(script)
    async with Emulator(model=model, **emulator_options) as emu:
        # The transport's factory, not one transport: the session reconnects after a drop,
        # as connect() does by default, whether over a socket or in process.
        where: dict[str, Any] = {"url": emu.url} if socket else {"transport": emu.transport}
        async with connect(agent, **where) as session:
            try:
                with anyio.fail_after(within):
                    await drive(session, emu)
                    if until is not None and not until(record):
                        async for event in session:
                            record.events.append(event)
                            if until(record):
                                break
            except TimeoutError:
                raise TimeoutError(_waiting_for(session, record, within)) from None
        # Every connection's, in the order they opened: what went before a drop counts too.
        record.client_events = [event for conn in emu.connections for event in conn.received]
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


def _waiting_for(session: RealtimeSession, record: SessionRecord, within: float) -> str:
    """What a run that timed out was still waiting for, in words."""
    reasons = [
        f"an approval of {request.describe()} (nobody answered: a handler, a rule, or "
        "session.approve)"
        for request in session.pending_approvals
    ]
    running = calls_in_flight(session)
    reasons += [f"the tool call {name} ({call_id}) to finish" for call_id, name in running]
    if not reasons:
        seen = [e.type for e in record.events[-3:]]
        reasons.append(
            "the answer: a response ending with an assistant message"
            + (f" (the last events were {', '.join(seen)})" if seen else " (no events yet)")
        )
    return f"no answer within {within:g} s; still waiting for " + "; and ".join(reasons)
