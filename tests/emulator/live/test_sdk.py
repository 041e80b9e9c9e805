"""The oracle: the openai SDK's own Live client drives the emulator as it would the real
server, and every frame each way is one the SDK's types accept."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel

from .oracle import check_client, check_server
from .sansio import WEATHER, quiet, responses, speech

pytestmark = pytest.mark.anyio


async def until(conn: Any, done: Any) -> list[Any]:
    """Events up to and including the first that ``done`` accepts (or of that type)."""
    test = (lambda e: e.type == done) if isinstance(done, str) else done
    seen = []
    with anyio.fail_after(10):
        async for event in conn:
            seen.append(event)
            if test(event):
                return seen
    raise AssertionError(f"the connection ended before {done}")


def completed(event: Any) -> bool:
    return event.type == "response.event" and event.event["type"] == "response.completed"


def said(events: list[Any]) -> str:
    return "".join(e.delta for e in events if e.type == "session.output_transcript.delta")


async def test_the_openai_sdk_runs_a_delegated_turn() -> None:
    def answer(ctx: ModelContext) -> str:
        # The backend's own instructions, and what was appended since: not the Live model's.
        assert ctx.instructions == "Be quick.\n\nThe caller is in a hurry."
        return f"It is {ctx.pending_outputs[0]['output']}."

    model = ScriptedModel(
        [[Say("Let me check."), CallFunction("get_weather", {"city": "Paris"})], answer]
    )
    async with Emulator(model=model, transcribe=lambda data, ms: "Weather in Paris?") as emu:
        client = AsyncOpenAI(base_url=emu.http_url, api_key="sk-test")
        async with client.live.connect() as conn:
            delegation = responses(WEATHER)
            delegation["responses"]["instructions"] = "Be quick."
            session: Any = {
                "model": "gpt-live-1",
                "instructions": "Answer in one sentence.",
                "delegation": delegation,
            }
            await conn.session.start(session=session, event_id="start")
            started = (await until(conn, "session.started"))[-1]
            assert started.session.id.startswith("sess_") and started.client_event_id == "start"

            await conn.session.instructions.append(
                content="The caller is in a hurry.", delegation_id=None
            )
            await until(conn, "session.instructions.appended")
            await conn.session.thinking.append(content="Paris is likely.", delegation_id=None)
            await until(conn, "session.thinking.appended")

            await conn.session.input_audio.append(audio=speech(600))
            await conn.session.input_audio.append(audio=quiet(400))
            events = await until(conn, completed)
            assert said(events) == "Let me check."
            created = next(e for e in events if e.type == "session.delegation.created")
            assert created.delegation.target == "responses"
            calls = [
                e.event["item"]
                for e in events
                if e.type == "response.event" and e.event["type"] == "response.output_item.done"
            ]
            assert [c["name"] for c in calls] == ["get_weather"]

            item: Any = {
                "type": "function_call_output",
                "call_id": calls[0]["call_id"],
                "output": "sunny",
            }
            await conn.response.item.create(item=item)
            await conn.response.create()
            events = await until(conn, "session.usage.updated")
            assert said(events) == "It is sunny."
            assert all(
                e.delegation_id == created.delegation.id
                for e in events
                if e.type == "response.event"
            )

            await conn.session.commentary.append(content="Anything else?", delegation_id=None)
            events = await until(conn, "session.usage.updated")
            assert events[0].type == "session.commentary.appended"
            assert said(events) == "Anything else?"

            await conn.session.input_audio.mute()
            await until(conn, "session.input_audio.muted")
            await conn.session.close()
            closed = (await until(conn, "session.closed"))[-1]
            assert closed.reason == "close_requested"
        received, sent = list(emu.last.received), list(emu.last.sent)
    assert received[0]["type"] == "session.start"
    for frame in received:
        check_client(frame)
    for frame in sent:
        check_server(frame)
    assert {f["type"] for f in sent} >= {
        "session.started",
        "session.instructions.appended",
        "session.thinking.appended",
        "session.input_transcript.delta",
        "session.output_transcript.delta",
        "session.output_audio.delta",
        "session.delegation.created",
        "response.event",
        "session.commentary.appended",
        "session.usage.updated",
        "session.input_audio.muted",
        "session.closed",
    }


async def test_the_sdk_sees_an_error_for_a_command_before_session_start() -> None:
    async with Emulator() as emu:
        client = AsyncOpenAI(base_url=emu.http_url, api_key="sk-test")
        async with client.live.connect() as conn:
            await conn.session.input_audio.mute(event_id="early")
            error = (await until(conn, "error"))[-1]
            assert error.error.code == "session_not_started"
            assert error.error.client_event_id == "early"
            await conn.session.start(session={"model": "gpt-live-1"})
            await until(conn, "session.started")


async def test_the_openai_sdk_runs_decisions() -> None:
    route = {
        "type": "choice",
        "name": "route",
        "instructions": "Which team should handle this?",
        "choices": [{"value": "billing"}, {"value": "refunds"}],
    }
    model = ScriptedModel([[Say("One moment."), CallFunction("route_call", {})]])
    async with Emulator(model=model, transcribe=lambda data, ms: "I want refunds") as emu:
        client = AsyncOpenAI(base_url=emu.http_url, api_key="sk-test")
        async with client.live.connect() as conn:
            session: Any = {
                "model": "gpt-live-1",
                "delegation": {
                    "type": "decisions",
                    "decisions": {"model": "gpt-5.4-mini", "questions": [route]},
                },
                "triggers": [
                    {
                        "type": "decisions",
                        "event_type": "session.input_transcript.delta",
                        "decisions": {"questions": [route]},
                    }
                ],
            }
            await conn.session.start(session=session)
            started = (await until(conn, "session.started"))[-1]
            assert started.session.delegation.type == "decisions"

            await conn.session.input_audio.append(audio=speech(600))
            await conn.session.input_audio.append(audio=quiet(400))
            events = await until(
                conn, lambda e: e.type == "decision.event" and e.delegation_id is not None
            )
            fired = [e for e in events if e.type == "decision.event" and e.trigger_id]
            assert [e.event.decision.answers[0].choice for e in fired] == [
                "billing",
                "billing",
                "refunds",
            ]
            created = next(e for e in events if e.type == "session.delegation.created")
            answered = events[-1]
            assert answered.delegation_id == created.delegation.id
            assert answered.event.decision.answers[0].choice == "refunds"

            item: Any = {"type": "message", "role": "user", "content": "Billing, actually."}
            await conn.decision.item.create(item=item, event_id="add")
            added = (await until(conn, "decision.item.created"))[-1]
            assert added.client_event_id == "add" and added.item.id
            await conn.decision.create(event_id="now")
            now = (await until(conn, "decision.event"))[-1]
            assert now.event.decision.answers[0].choice == "billing"
            await conn.decision.item.delete(item_id=added.item.id)
            deleted = (await until(conn, "decision.item.deleted"))[-1]
            assert deleted.item_id == added.item.id
        received, sent = list(emu.last.received), list(emu.last.sent)
    for frame in received:
        check_client(frame)
    for frame in sent:
        check_server(frame)
    assert {f["type"] for f in sent} >= {
        "decision.event",
        "decision.item.created",
        "decision.item.deleted",
    }
