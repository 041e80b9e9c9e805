"""The emulator's GPT-Live server, driven by the openai SDK's own Live client: the Live model
delegates twice (two user turns), each delegation's backend response calls a function, and
the client answers the second before the first.

docs/emulator.md: "``response.create`` continues the delegation once the response is done and
every call of it has its output"; docs/live.md: GPT-Live "refuses a partial batch". The
emulator keeps one waiting response (``LiveCore.waiting``) and ``start_backend`` clears it, so
the second delegation makes it forget the first: the first's calls are then continued by a
response of no delegation (``delegation_id`` None), and a ``response.create`` sent before
the first's call has its output is not refused (``missing_tool_output``) but runs."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from tests.emulator.live.sansio import WEATHER, quiet, responses, speech

pytestmark = pytest.mark.anyio


def echo(ctx: ModelContext) -> str:
    return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs)


async def until(conn: Any, test: Any) -> list[Any]:
    seen: list[Any] = []
    with anyio.fail_after(10):
        async for event in conn:
            seen.append(event)
            if test(event):
                return seen
        else:
            pytest.fail(f"the connection ended first: {[e.type for e in seen][-10:]}")
    raise AssertionError("unreachable")


def inner(event: Any, kind: str) -> bool:
    return event.type == "response.event" and event.event["type"] == kind


def calls_of(events: list[Any]) -> list[str]:
    return [
        e.event["item"]["call_id"]
        for e in events
        if inner(e, "response.output_item.done") and e.event["item"]["type"] == "function_call"
    ]


async def two_delegations(conn: Any) -> tuple[tuple[str, str], tuple[str, str]]:
    """Two user turns, each delegated with one call; nothing answered yet. Each
    delegation's (id, call id)."""
    await conn.session.start(
        session={"model": "gpt-live-1", "delegation": responses(WEATHER)}, event_id="start"
    )
    await until(conn, lambda e: e.type == "session.started")
    found = []
    for _ in range(2):
        await conn.session.input_audio.append(audio=speech(600))
        await conn.session.input_audio.append(audio=quiet(400))
        events = await until(conn, lambda e: inner(e, "response.completed"))
        created = next(e for e in events if e.type == "session.delegation.created")
        [call_id] = calls_of(events)
        found.append((created.delegation.id, call_id))
    return found[0], found[1]


async def test_the_first_delegations_calls_are_continued_in_that_delegation() -> None:
    model = ScriptedModel(
        [
            CallFunction("get_weather", {"city": "Paris"}, call_id="call_paris"),
            CallFunction("get_weather", {"city": "Oslo"}, call_id="call_oslo"),
            echo,
            echo,
        ]
    )
    async with Emulator(model=model) as emu:
        client = AsyncOpenAI(base_url=emu.http_url, api_key="sk-test")
        async with client.live.connect() as conn:
            (first, paris), (second, oslo) = await two_delegations(conn)
            assert (paris, oslo) == ("call_paris", "call_oslo")
            # The second delegation's batch, answered and continued.
            item: Any = {"type": "function_call_output", "call_id": oslo, "output": "cold"}
            await conn.response.item.create(item=item)
            await conn.response.create(event_id="ask_oslo")
            events = await until(conn, lambda e: inner(e, "response.completed"))
            assert {e.delegation_id for e in events if e.type == "response.event"} == {second}
            # Then the first's.
            item = {"type": "function_call_output", "call_id": paris, "output": "sunny"}
            await conn.response.item.create(item=item)
            await conn.response.create(event_id="ask_paris")
            events = await until(conn, lambda e: inner(e, "response.completed"))
    answer = [e for e in events if e.type == "response.event" and e.client_event_id == "ask_paris"]
    assert answer, "no response answered the first delegation's request"
    assert {e.delegation_id for e in answer} == {first}, (
        f"the response that continues delegation {first}'s call is of delegation "
        f"{answer[0].delegation_id!r}"
    )


async def test_a_request_before_the_first_delegations_output_is_refused() -> None:
    model = ScriptedModel(
        [
            CallFunction("get_weather", {"city": "Paris"}, call_id="call_paris"),
            CallFunction("get_weather", {"city": "Oslo"}, call_id="call_oslo"),
            echo,
            echo,
        ]
    )
    async with Emulator(model=model) as emu:
        client = AsyncOpenAI(base_url=emu.http_url, api_key="sk-test")
        async with client.live.connect() as conn:
            (_, paris), (_, oslo) = await two_delegations(conn)
            item: Any = {"type": "function_call_output", "call_id": oslo, "output": "cold"}
            await conn.response.item.create(item=item)
            await conn.response.create(event_id="ask_oslo")
            await until(conn, lambda e: inner(e, "response.completed"))
            # call_paris has no output: a partial batch.
            await conn.response.create(event_id="too_soon")
            events = await until(
                conn,
                lambda e: (
                    (e.type == "error" and e.error.client_event_id == "too_soon")
                    or inner(e, "response.created")
                ),
            )
    last = events[-1]
    assert last.type == "error", (
        f"a response.create with {paris} unanswered started a response "
        f"(delegation {last.delegation_id!r}) instead of being refused"
    )
    assert last.error.code == "missing_tool_output"
