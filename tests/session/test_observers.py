"""The session's observers of its events (``session/observers.py``): one ordered set of
hooks before the app; a part the agent does not use costs nothing per event; the usage is
counted before the app sees the event; a hook's bug costs neither the event nor the other
hooks."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.session.events import SessionWarning
from rtagents.session.observers import Observers
from rtagents.session.stream import EventStream

pytestmark = pytest.mark.anyio


async def fine(text: str) -> GuardrailResult:
    return PASS


PLAIN = rtagents.Agent(name="plain", output_modalities=["text"])
GUARDED = rtagents.Agent(
    name="guarded", output_modalities=["text"], guardrails=Guardrails(output=[fine])
)
HANDING = rtagents.Agent(name="front", output_modalities=["text"], handoffs=[PLAIN])


def hooks(session: rtagents.RealtimeSession) -> list[str]:
    """The hooks by their owner's class (the tracer's as ``trace``)."""
    runner = session._runner
    named = {
        id(runner.meter): "usage",
        id(runner.guards): "guardrails",
        id(runner.handoffs): "handoffs",
        id(runner): "trace",
    }
    return [named[id(hook.__self__)] for hook in runner.observers.hooks]  # type: ignore[attr-defined]


async def test_a_session_pays_only_for_the_parts_its_agent_uses() -> None:
    async with Emulator(model=ScriptedModel(["hi", "hi", "hi"])) as emu:
        async with rtagents.connect(PLAIN, transport=emu.transport()) as session:
            runner = session._runner  # an SDK's tracer or meter provider makes it record
            tracing = ["trace"] if runner.tracer.recording or runner.metrics.recording else []
            assert hooks(session) == ["usage", *tracing]
            await session.update_agent(GUARDED)
            assert hooks(session) == ["usage", *tracing, "guardrails"]
            await session.update_agent(PLAIN)  # no guardrails now: no look at each event
            assert hooks(session) == ["usage", *tracing]
            await session.update_agent(HANDING)
            assert hooks(session) == ["usage", *tracing, "handoffs"]
            await session.update_agent(PLAIN)  # the count stays watched once handoffs were
            assert hooks(session) == ["usage", *tracing, "handoffs"]


async def test_the_usage_is_counted_before_the_app_sees_the_response() -> None:
    counted: list[int] = []
    kinds: list[str] = []
    async with Emulator(model=ScriptedModel(["hi"])) as emu:
        async with rtagents.connect(PLAIN, transport=emu.transport()) as session:
            session.on("response.done")(lambda _: counted.append(session.usage.responses))
            session.on("*")(lambda e: kinds.append(e.type))
            await session.ask("hello")
    assert counted == [1]
    assert kinds.index("usage.updated") == kinds.index("response.done") + 1  # then its news


def test_a_hook_that_raises_costs_neither_the_event_nor_the_other_hooks() -> None:
    stream = EventStream(16)
    observers = Observers(stream)
    seen: list[Any] = []

    def broken(event: Any) -> None:
        raise RuntimeError("a bug")

    def follows(event: Any) -> list[Any] | None:
        seen.append(event)
        return [SessionWarning("after it")] if event.message == "first" else None

    observers.hooks = (broken, follows)
    observers.deliver(SessionWarning("first"))
    assert [e.message for e in seen] == ["first", "after it"]
    assert [e.message for e, _ in stream._queue or ()] == ["first", "after it"]


def told(stream: EventStream) -> list[str]:
    return [e.message for e, _ in stream._queue or ()]


def test_events_are_told_once_no_holder_holds_them() -> None:
    """A call's task holds the app's events while its output leaves, the reader while it
    answers a burst: when the two overlap, whichever ends first tells nothing yet."""
    stream = EventStream(16)
    observers = Observers(stream)
    call = observers.hold()  # the call's task, sending its output
    burst = observers.hold()  # the reader's burst, begun meanwhile
    observers.deliver(SessionWarning("a frame of the burst"))
    observers.tell(call)  # the output has left: the burst is not answered yet
    assert told(stream) == []
    observers.tell(burst)
    assert told(stream) == ["a frame of the burst"]
    burst = observers.hold()  # the other way round
    call = observers.hold()
    observers.deliver(SessionWarning("the call ended"))
    observers.tell(burst)  # the burst is answered: the call's output has not left
    assert told(stream) == ["a frame of the burst"]
    observers.tell(call)
    assert told(stream) == ["a frame of the burst", "the call ended"]
    observers.deliver(SessionWarning("at once"))  # no one holds
    assert told(stream)[-1] == "at once"


def test_the_end_tells_all_and_a_holder_it_ended_tells_nothing_later() -> None:
    stream = EventStream(16)
    observers = Observers(stream)
    call = observers.hold()
    observers.deliver(SessionWarning("held"))
    observers.tell()  # the session's end: every hold ends
    assert told(stream) == ["held"]
    burst = observers.hold()  # (a later hold, as a reader's would be)
    observers.deliver(SessionWarning("later"))
    observers.tell(call)  # ended already: not a holder of this one
    assert told(stream) == ["held"]
    observers.tell(burst)
    assert told(stream) == ["held", "later"]


def test_a_long_burst_is_told_as_it_goes_and_stays_one_hold() -> None:
    stream = EventStream(256)
    observers = Observers(stream)
    hold = observers.hold()
    for n in range(70):
        observers.deliver(SessionWarning(str(n)))
    assert told(stream) == [str(n) for n in range(64)]  # at most 64 wait
    observers.tell(hold)  # still its hold: the rest are told
    assert told(stream) == [str(n) for n in range(70)]


async def test_a_handler_for_a_type_no_event_has_is_registered_with_a_warning() -> None:
    async with Emulator() as emu, rtagents.connect(rtagents.Agent(name="a"), url=emu.url) as s:
        with pytest.warns(UserWarning, match="did you mean 'tool.call.completed'"):
            s.on("tool.call.complete")(print)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # known types, ours and the server's, say nothing
            for kind in ("*", "tool.call.completed", "response.done", "session.started"):
                s.on(kind)(print)
