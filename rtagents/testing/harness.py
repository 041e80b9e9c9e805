"""Run an agent against the emulator with a scripted model, and record what happened."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anyio

from ..agent import Agent
from ..emulator import Emulator, ScriptedModel
from ..emulator.models import Model, TurnSource
from ..session import RealtimeSession, connect
from ..session.live_config import redact as hide_credentials
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
            events = await session.ask(text)
            record.events += events
            if events and events[-1].type == "session.closed":  # no answer: never a pass
                raise AssertionError(
                    f"the session ended before the answer to {text!r}: {events[-1].reason}"
                )

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
    before = len(getattr(model, "contexts", []))  # (a model given again keeps its earlier runs')
    seen: list[Any] = []  # every event as it comes, for what a timeout says
    async with Emulator(model=model, **emulator_options) as emu:
        # The transport's factory, not one transport: the session reconnects after a drop,
        # as connect() does by default, whether over a socket or in process.
        where: dict[str, Any] = {"url": emu.url} if socket else {"transport": emu.transport}
        said: list[str] = []  # what the run still waited for when its time was up
        try:
            with anyio.fail_after(within) as clock:  # (opening the session included)
                async with connect(agent, **where) as session:
                    session.on("*")(seen.append)
                    try:
                        await drive(session, emu)
                        if until is not None and not until(record):
                            async for event in session:
                                record.events.append(event)
                                if until(record):
                                    break
                            else:
                                raise AssertionError(
                                    "the session ended before until() held: "
                                    + _ending(record.events)
                                )
                    except anyio.get_cancelled_exc_class():
                        if clock.cancel_called:  # said while the session is still open
                            said.append(_waiting_for(session, seen, within))
                        raise
                    said.append(f"the session did not close within {within:g} s")
        except TimeoutError:
            if not clock.cancel_called:
                raise  # (the drive's own)
            opening = f"the session did not open within {within:g} s"
            raise TimeoutError(said[0] if said else opening) from None
        # Every connection's, in the order they opened: what went before a drop counts too;
        # hosted MCP credentials hidden, as in the app's events (a record is shown in a
        # failing test's output, a debugger, a log line).
        received = copy.deepcopy([event for conn in emu.connections for event in conn.received])
        hide_credentials(received)
        record.client_events = received
    record.model_contexts = list(getattr(model, "contexts", []))[before:]
    return record


def _ending(events: Sequence[Any]) -> str:
    closed = next((e for e in reversed(events) if e.type == "session.closed"), None)
    return str(closed.reason) if closed is not None else "the event stream ended"


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


def _waiting_for(session: RealtimeSession, seen: Sequence[Any], within: float) -> str:
    """What a run that timed out was still waiting for, in words."""
    reasons = [
        f"an approval of {request.describe()} (nobody answered: a handler, a rule, or "
        "session.approve)"
        for request in session.pending_approvals
    ]
    running = calls_in_flight(session)
    reasons += [f"the tool call {name} ({call_id}) to finish" for call_id, name in running]
    if not reasons:
        last = [e.type for e in seen[-3:]]
        reasons.append(
            "the answer: a response ending with an assistant message"
            + (f" (the last events were {', '.join(last)})" if last else " (no events yet)")
        )
    return f"no answer within {within:g} s; still waiting for " + "; and ".join(reasons)
