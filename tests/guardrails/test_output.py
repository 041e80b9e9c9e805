"""Output guardrails over the emulator: a trip mid-answer cancels the response, cuts the
assistant's item at what the player played, and tells the model why; a guardrail that
raises, answers nonsense or times out trips too; sync ones run in threads; tool calls in
flight finish and are answered."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, Say, ScriptedModel
from rtagents.session.guards import SessionGuards

pytestmark = pytest.mark.anyio

LONG = (
    "Sure, and I can promise you a full refund today, no questions asked, whatever "
    "happened to your order last month, and the month before that one too."
)


class FakePlayer:
    """A player with no device: it says it played ``ms`` of whatever it was given."""

    def __init__(self, ms: int) -> None:
        self.ms = ms
        self.cleared = 0

    def played_ms(self, item_id: str) -> int | None:
        return self.ms

    def clear(self) -> None:
        self.cleared += 1


async def no_refunds(text: str) -> GuardrailResult:
    return Trip("it promised a refund") if "refund" in text else PASS


async def run_until_trip(
    agent: rtagents.Agent,
    model: Any,
    player: FakePlayer | None = None,
    *,
    trips: int = 1,
    **emu: Any,
) -> tuple[list[Any], Any]:
    """Ask for an answer and read until a guardrail trips and the cancelled response is
    done; returns the events and the emulator's connection."""
    events: list[Any] = []
    options = {"realtime": True, "audio_chunk_ms": 100, **emu}
    async with Emulator(model=model, **options) as emulator:
        async with rtagents.connect(agent, url=emulator.url, player=player) as session:
            await session.send_text("What are your opening hours?")
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    tripped = [e for e in events if e.type == "guardrail.tripped"]
                    done = [e for e in events if e.type == "response.done"]
                    told = [
                        e
                        for e in events
                        if e.type == "conversation.item.added" and e.item.role == "system"
                    ]
                    if len(tripped) >= trips and done and told:
                        break
                else:
                    pytest.fail("the session ended before the guardrail tripped")
            connection = emulator.last
    return events, connection


def sent(connection: Any, kind: str) -> list[dict[str, Any]]:
    return [e for e in connection.received if e["type"] == kind]


async def test_a_trip_mid_answer_cancels_cuts_at_what_was_played_and_tells_the_model() -> None:
    agent = rtagents.Agent(name="shop", guardrails=Guardrails(output=[no_refunds]))
    player = FakePlayer(700)
    events, connection = await run_until_trip(agent, ScriptedModel([LONG]), player)
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert (trip.guardrail, trip.kind, trip.decided_by) == ("no_refunds", "output", "guardrail")
    assert trip.reason == "it promised a refund"
    [created] = [e for e in events if e.type == "response.created"]
    assert trip.cancelled == created.response.id
    # The emulator received the cancel, for that response.
    [cancel] = sent(connection, "response.cancel")
    assert cancel["response_id"] == created.response.id
    done = next(e for e in events if e.type == "response.done")
    assert done.response.status == "cancelled"
    # The item is cut where the player was, and the player was told to stop.
    [truncate] = sent(connection, "conversation.item.truncate")
    assert (truncate["item_id"], truncate["audio_end_ms"]) == (trip.item_id, 700)
    assert player.cleared == 1
    assert any(e.type == "audio.interrupted" and e.played_ms == 700 for e in events)
    # The model is told why: the emulator's conversation holds the message.
    said = connection.conversation.get(trip.item_id)
    assert len(said["_pcm"]) == 700 * 48
    notes = [item for item in connection.conversation.items if item.get("role") == "system"]
    assert [n["content"][0]["text"] for n in notes] == [
        "Your last answer was stopped by a guardrail (no_refunds): it promised a refund"
    ]
    # No new response was asked for: the user's next turn brings it.
    assert len(sent(connection, "response.create")) == 1


async def trip_of(check: Any, **guardrails: Any) -> tuple[Any, Any]:
    agent = rtagents.Agent(name="shop", guardrails=Guardrails(output=[check], **guardrails))
    events, connection = await run_until_trip(agent, ScriptedModel([LONG]), FakePlayer(300))
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert len(sent(connection, "response.cancel")) == 1
    return trip, connection


async def test_a_guardrail_that_raises_trips() -> None:
    async def broken(text: str) -> GuardrailResult:
        raise RuntimeError("the moderation service is down")

    trip, _ = await trip_of(broken)
    assert (trip.guardrail, trip.decided_by) == ("broken", "error")
    assert "RuntimeError: the moderation service is down" in trip.reason


async def test_a_message_template_that_fails_still_stops_the_answer() -> None:
    # An attribute typo in the template raised AttributeError before anything acted: no
    # cancel, no event, and the item was marked tripped, so no later trip could act.
    guardrails = Guardrails(output=[no_refunds], message="{guardrail}: {reason.text}")
    agent = rtagents.Agent(name="shop", guardrails=guardrails)
    events, connection = await run_until_trip(agent, ScriptedModel([LONG]), FakePlayer(300))
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert trip.cancelled is not None and len(sent(connection, "response.cancel")) == 1
    assert next(e for e in events if e.type == "response.done").response.status == "cancelled"
    assert len(sent(connection, "conversation.item.truncate")) == 1
    [warning] = [e for e in events if e.type == "session.warning"]
    assert "AttributeError" in warning.message and "template" in warning.message
    notes = [i for i in connection.conversation.items if i.get("role") == "system"]
    assert [n["content"][0]["text"] for n in notes] == [
        "Your last answer was stopped by a guardrail (no_refunds): it promised a refund"
    ]


async def test_a_guardrail_whose_await_is_cancelled_elsewhere_trips() -> None:
    # A shared moderation request its owner cancelled: the CancelledError is the check's
    # failure, not the session's cancellation, so it trips like a raise (fail closed).
    async def shared(text: str) -> GuardrailResult:
        future = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0.05, future.cancel)
        result: GuardrailResult = await future
        return result

    trip, _ = await trip_of(shared)
    assert (trip.guardrail, trip.decided_by) == ("shared", "error")
    assert trip.reason == "it raised CancelledError"


async def test_the_sessions_own_cancellation_of_a_check_is_no_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started, ended = anyio.Event(), list[str]()

    async def stuck(text: str) -> GuardrailResult:
        started.set()
        try:
            await anyio.sleep(30)
        except BaseException as exc:
            ended.append(type(exc).__name__)
            raise
        return PASS

    tripped: list[Any] = []

    async def recorded(self: SessionGuards, *args: Any) -> None:
        tripped.append(args)

    monkeypatch.setattr(SessionGuards, "_tripped", recorded)
    agent = rtagents.Agent(name="shop", guardrails=Guardrails(output=[stuck], timeout=60))
    async with Emulator(model=ScriptedModel([LONG]), realtime=True, audio_chunk_ms=100) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("Can I get my money back?")
            with anyio.fail_after(10):
                await started.wait()
        # The session's end cancelled the check: it went through, and nothing tripped.
    assert ended == ["CancelledError"] and tripped == []


async def test_a_guardrail_that_answers_a_bool_trips() -> None:
    # Does True mean "safe" or "tripped"? Neither: only PASS passes.
    trip, _ = await trip_of(lambda text: True)
    assert trip.decided_by == "error" and "True" in trip.reason


async def test_a_guardrail_that_times_out_trips() -> None:
    async def slow(text: str) -> GuardrailResult:
        await anyio.sleep(30)
        return PASS

    trip, _ = await trip_of(slow, timeout=0.3)
    assert (trip.decided_by, trip.reason) == ("timeout", "it did not answer within 0.3 s")


async def test_a_sync_guardrail_runs_in_a_thread_and_trips() -> None:
    import threading

    threads: set[str] = set()

    def blocking(text: str) -> GuardrailResult:
        threads.add(threading.current_thread().name)
        time.sleep(0.05)  # a blocking client: it must not hold up the session's loop
        return Trip("a refund") if "refund" in text else PASS

    trip, connection = await trip_of(blocking)
    assert trip.decided_by == "guardrail" and trip.reason == "a refund"
    assert threading.main_thread().name not in threads


async def test_a_slow_verdict_still_acts_after_the_answer_ended() -> None:
    async def late(text: str) -> GuardrailResult:
        await anyio.sleep(1.0)
        return Trip("a refund") if "refund" in text else PASS

    agent = rtagents.Agent(name="shop", guardrails=Guardrails(output=[late]))
    # Not paced: the answer is done long before the verdict.
    events, connection = await run_until_trip(agent, ScriptedModel([LONG]), realtime=False)
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert trip.cancelled is None and sent(connection, "response.cancel") == []
    done = next(e for e in events if e.type == "response.done")
    assert done.response.status == "completed"
    assert any(item.get("role") == "system" for item in connection.conversation.items)


async def test_a_tool_call_in_flight_finishes_and_is_answered() -> None:
    @rtagents.tool
    async def order_status(order: str) -> str:
        """Look an order up."""
        await anyio.sleep(6.0)  # still running when the guardrail trips
        return f"{order}: shipped"

    agent = rtagents.Agent(
        name="shop", tools=[order_status], guardrails=Guardrails(output=[no_refunds])
    )
    model = ScriptedModel(
        [[CallFunction("order_status", {"order": "A1"}), Say(LONG)], "Your order has shipped."]
    )
    events: list[Any] = []
    async with Emulator(model=model, realtime=True, audio_chunk_ms=100) as emulator:
        async with rtagents.connect(agent, url=emulator.url) as session:
            await session.send_text("Where is my order?")
            with anyio.fail_after(25):
                async for event in session:
                    events.append(event)
                    if (
                        event.type == "response.done"
                        and len([e for e in events if e.type == "response.done"]) == 2
                    ):
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
            connection = emulator.last
    kinds = [e.type for e in events]
    assert kinds.index("guardrail.tripped") < kinds.index("tool.call.completed")
    [completed] = [e for e in events if e.type == "tool.call.completed"]
    assert completed.output == "A1: shipped"
    outputs = [
        e["item"]
        for e in sent(connection, "conversation.item.create")
        if e["item"]["type"] == "function_call_output"
    ]
    assert [o["output"] for o in outputs] == ["A1: shipped"]
    # The batch's one response.create followed its output; the answer passed.
    assert len(sent(connection, "response.create")) == 2
    done = [e for e in events if e.type == "response.done"]
    assert [d.response.status for d in done] == ["cancelled", "completed"]
    assert len([e for e in events if e.type == "guardrail.tripped"]) == 1


async def test_the_agent_taken_later_debounces_with_its_own_settings() -> None:
    """The guardrails' debounce is the running agent's: after ``update_agent`` (a handoff
    takes the same path) the new agent's ``every_chars``/``every_ms`` apply, not the
    first agent's."""
    seen: list[str] = []

    async def recorder(text: str) -> GuardrailResult:
        seen.append(text)
        return PASS

    lazy = Guardrails(output=[recorder], every_chars=100_000, every_ms=600_000)
    eager = Guardrails(output=[recorder], every_chars=1, every_ms=0)
    first = rtagents.Agent(name="first", guardrails=lazy)
    then = rtagents.Agent(name="then", guardrails=eager)
    options = {"realtime": True, "audio_chunk_ms": 100}
    async with Emulator(model=ScriptedModel(["Hello there.", LONG]), **options) as emulator:
        async with rtagents.connect(first, url=emulator.url) as session:
            await session.ask("Hi")
            assert seen == ["Hello there."]  # the lazy agent's one check, at the end
            await session.update_agent(then)
            await session.ask("What are your opening hours?")
    checks = seen[1:]
    assert len(checks) > 1 and checks[-1] == LONG and len(checks[0]) < len(LONG)
