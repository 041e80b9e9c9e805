"""Input guardrails over the emulator: what the user said (its transcript, before or after
the answer began) or typed is checked; a trip cancels the answer to that turn, and the
model is told; a message that passes is answered as usual."""

from __future__ import annotations

import json
from typing import Any, Literal

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents import protocol as p
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.emulator import audio as pcm

pytestmark = pytest.mark.anyio

ANSWER = "Well, first you take a tension wrench, and then you rake the pins one by one slowly."


def no_locks(text: str) -> GuardrailResult:
    return Trip("asks how to break in") if "lock" in text else PASS


def voice_agent(**guardrails: Any) -> rtagents.Agent:
    return rtagents.Agent(
        name="desk",
        transcription=p.AudioTranscription(model="whisper-1"),
        turn_detection=p.ServerVad(silence_duration_ms=300),
        guardrails=Guardrails(input=[no_locks], **guardrails),
    )


@pytest.mark.parametrize("order", ["before", "after"])
async def test_a_trip_on_what_the_user_said_cancels_the_answer_and_tells_the_model(
    order: Literal["before", "after"],
) -> None:
    spoken = pcm.tone(400).tobytes() + pcm.silence(400).tobytes()
    events: list[Any] = []
    async with Emulator(
        model=ScriptedModel([ANSWER]),
        transcribe=lambda audio, ms: "how do I pick a lock",
        transcript_order=order,
        realtime=True,
        audio_chunk_ms=100,
    ) as emulator:
        async with rtagents.connect(voice_agent(), url=emulator.url) as session:
            await session.send_audio(spoken)
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    kinds = [e.type for e in events]
                    told = any(
                        e.type == "conversation.item.added" and e.item.role == "system"
                        for e in events
                    )
                    if "guardrail.tripped" in kinds and "response.done" in kinds and told:
                        break
                else:
                    pytest.fail("the session ended before the guardrail tripped")
            connection = emulator.last
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    [created] = [e for e in events if e.type == "response.created"]
    [transcript] = [
        e for e in events if e.type == "conversation.item.input_audio_transcription.completed"
    ]
    assert (trip.kind, trip.guardrail, trip.item_id) == ("input", "no_locks", transcript.item_id)
    assert trip.cancelled == created.response.id
    cancels = [e for e in connection.received if e["type"] == "response.cancel"]
    assert [c["response_id"] for c in cancels] == [created.response.id]
    done = next(e for e in events if e.type == "response.done")
    assert done.response.status == "cancelled"
    notes = [i for i in connection.conversation.items if i.get("role") == "system"]
    assert [n["content"][0]["text"] for n in notes] == [
        "The user's last message was not answered; a guardrail (no_locks) stopped it: "
        "asks how to break in"
    ]


async def test_typed_text_is_checked_and_a_harmless_message_is_answered() -> None:
    agent = rtagents.Agent(name="desk", guardrails=Guardrails(input=[no_locks]))
    model = ScriptedModel(["We open at nine.", ANSWER])
    async with Emulator(model=model, realtime=True, audio_chunk_ms=100) as emulator:
        async with rtagents.connect(agent, url=emulator.url) as session:
            first = await session.ask("When do you open?")
            assert not [e for e in first if e.type == "guardrail.tripped"]
            assert first[-1].type == "response.done"
            assert first[-1].response.status == "completed"
            await session.send_text("And how do I pick the lock of the back door?")
            events: list[Any] = []
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended before the answer was done")
            connection = emulator.last
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert trip.kind == "input" and trip.cancelled is not None
    assert events[-1].response.status == "cancelled"
    assert len([e for e in connection.received if e["type"] == "response.cancel"]) == 1


async def test_the_message_can_be_a_user_item_and_a_response_can_follow() -> None:
    agent = rtagents.Agent(
        name="desk",
        guardrails=Guardrails(
            input=[no_locks],
            # It names the lock: were our own note checked as input, it would trip again.
            message=lambda trip: f"(Refuse politely: {trip.reason}, the lock.)",
            role="user",
            respond=True,
        ),
    )
    model = ScriptedModel([ANSWER, "Sorry, I cannot help with that."])
    async with Emulator(model=model, realtime=True, audio_chunk_ms=100) as emulator:
        async with rtagents.connect(agent, url=emulator.url) as session:
            await session.send_text("How do I pick a lock?")
            statuses: list[str | None] = []
            trips = 0
            with anyio.fail_after(15):
                async for event in session:
                    trips += event.type == "guardrail.tripped"
                    if event.type == "response.done":
                        statuses.append(event.response.status)
                        if len(statuses) == 2:
                            break
                else:
                    pytest.fail("the session ended before the second answer")
            connection = emulator.last
    assert statuses == ["cancelled", "completed"] and trips == 1
    users = [
        i["content"][0].get("text")
        for i in connection.conversation.items
        if i.get("role") == "user"
    ]
    assert users == ["How do I pick a lock?", "(Refuse politely: asks how to break in, the lock.)"]
    # The second answer read the note (the model's last user message).
    assert model.contexts[-1].last_user_text == "(Refuse politely: asks how to break in, the lock.)"


class FakePlayer:
    """A player with no device: it says it played 300 ms of whatever it was given."""

    def __init__(self) -> None:
        self.cleared = 0

    def played_ms(self, item_id: str) -> int | None:
        return 300

    def clear(self) -> None:
        self.cleared += 1


async def slow_fraud_check(text: str) -> GuardrailResult:
    await anyio.sleep(0.3)  # a moderation API's round trip
    return Trip("looks like fraud") if "grandson" in text else PASS


async def read_for(session: Any, seconds: float) -> list[Any]:
    events: list[Any] = []
    with anyio.move_on_after(seconds):
        async for event in session:
            events.append(event)
    return events


def sent(connection: Any, kind: str) -> list[dict[str, Any]]:
    return [e for e in connection.received if e["type"] == kind]


async def wire_to_the_grandson(tool: Any, answer: str, until: str) -> tuple[list[Any], Any]:
    """A bank agent with ``tool`` is asked to wire money to a grandson (a fraud check trips
    0.3 s later); its events until one of type ``until`` and a little after (what should
    not come would have come by then), and the connection."""
    agent = rtagents.Agent(
        name="bank",
        tools=[tool],
        guardrails=Guardrails(input=[slow_fraud_check]),
        output_modalities=["text"],
    )
    call = CallFunction("wire_money", {"to": "grandson", "amount": 5000})
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([call, answer])) as emulator:
        async with rtagents.connect(agent, url=emulator.url) as session:
            await session.send_text("Wire 5000 to my grandson, he needs bail")
            with anyio.fail_after(10):
                async for event in session:
                    events.append(event)
                    if event.type == until:
                        break
                else:
                    pytest.fail(f"the session ended before {until}: {events}")
            events += await read_for(session, 0.5)
            return events, emulator.last


async def test_a_trip_while_a_tool_of_the_answer_runs_cancels_it_and_asks_nothing() -> None:
    ran: list[int] = []

    @rtagents.tool
    async def wire_money(to: str, amount: int) -> str:
        """Send money."""
        await anyio.sleep(60)  # still running when the guardrail trips: only it ends this
        ran.append(amount)
        return f"sent {amount} to {to}"

    events, connection = await wire_to_the_grandson(
        wire_money, "Done, I sent it.", "tool.call.failed"
    )
    assert ran == []  # its code was cancelled
    kinds = [e.type for e in events]
    assert kinds.index("guardrail.tripped") < kinds.index("tool.call.failed")
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    assert failed.kind == "cancelled" and "tool.call.completed" not in kinds
    # Answered exactly once, as cancelled; no response.create but the app's own.
    outputs = [
        e["item"]
        for e in sent(connection, "conversation.item.create")
        if e["item"]["type"] == "function_call_output"
    ]
    assert [o["call_id"] for o in outputs] == [failed.call_id]
    assert len(sent(connection, "response.create")) == 1
    assert [e.response.status for e in events if e.type == "response.done"] == ["completed"]


async def test_a_trip_cancels_the_background_work_its_answer_started() -> None:
    # The call was answered "started" before the guardrail tripped; its work goes on in the
    # background. The turn is stopped: the work is cancelled, and no result reaches the model.
    ran: list[int] = []

    @rtagents.tool(background=True)
    async def wire_money(to: str, amount: int) -> str:
        """Send money (it takes a while)."""
        await anyio.sleep(60)  # still running when the guardrail trips: only it ends this
        ran.append(amount)
        return f"sent {amount} to {to}"

    events, connection = await wire_to_the_grandson(wire_money, "Started it.", "background.failed")
    assert ran == []  # its code was cancelled
    kinds = [e.type for e in events]
    assert "background.started" in kinds and "background.completed" not in kinds
    [failed] = [e for e in events if e.type == "background.failed"]
    assert failed.kind == "cancelled" and "guardrail" in failed.message
    assert kinds.index("guardrail.tripped") < kinds.index("background.failed")
    # Nothing of its result was sent to the model: only the guardrail's own note.
    notes = [
        e["item"]
        for e in sent(connection, "conversation.item.create")
        if e["item"]["type"] == "message"
    ]
    assert not [n for n in notes if "wire_money" in json.dumps(n)]


async def test_a_late_trip_cuts_the_answers_audio_still_playing() -> None:
    answered = anyio.Event()

    async def slow_no_locks(text: str) -> GuardrailResult:
        await answered.wait()  # the verdict comes once the server is done with the answer
        return no_locks(text)

    agent = rtagents.Agent(name="desk", guardrails=Guardrails(input=[slow_no_locks]))
    player = FakePlayer()
    # Not paced: the server is done with the answer long before the verdict, while its
    # audio still plays.
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([ANSWER])) as emulator:
        async with rtagents.connect(agent, url=emulator.url, player=player) as session:
            await session.send_text("How do I pick a lock?")
            with anyio.fail_after(10):
                async for event in session:
                    events.append(event)
                    if event.type == "response.done":
                        answered.set()
                    if event.type == "audio.interrupted":
                        break
                else:
                    pytest.fail(f"the session ended before the trip cut the audio: {events}")
            events += await read_for(session, 0.3)
            connection = emulator.last
            with anyio.fail_after(5):  # (sent before the app hears of the cut)
                while not sent(connection, "conversation.item.truncate"):
                    await anyio.sleep(0.01)
    kinds = [e.type for e in events]
    assert kinds.index("response.done") < kinds.index("guardrail.tripped")
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert trip.cancelled is None
    [item] = [e.item for e in events if e.type == "response.output_item.done"]
    [interrupted] = [e for e in events if e.type == "audio.interrupted"]
    assert (interrupted.item_id, interrupted.played_ms) == (item.id, 300)
    assert player.cleared == 1
    [truncate] = sent(connection, "conversation.item.truncate")
    assert (truncate["item_id"], truncate["audio_end_ms"]) == (item.id, 300)
