"""Clients written by others, driving the emulator as they would the real server: the openai
SDK's realtime client and openai-agents' RealtimeRunner. (The Node SDK: test_node_client.py.)"""

from __future__ import annotations

import base64
from typing import Any

import anyio
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.emulator import audio as pcm

pytestmark = pytest.mark.anyio
LONG = " ".join(["word"] * 60)  # several seconds of audio


async def events_until(conn: Any, kind: str) -> list[Any]:
    seen = []
    with anyio.fail_after(10):
        async for event in conn:
            seen.append(event)
            if event.type == kind:
                return seen
    raise AssertionError(f"the connection ended before {kind}")


async def test_openai_sdk_tool_call_and_items() -> None:
    def answer(ctx: ModelContext) -> str:
        return f"It is {ctx.pending_outputs[0]['output']}."

    model = ScriptedModel([CallFunction("get_weather", {"city": "Paris"}), answer])
    async with Emulator(model=model) as emu:
        client = AsyncOpenAI(api_key="sk-test", websocket_base_url=emu.base_url)
        async with client.realtime.connect(model="gpt-realtime") as conn:
            tool = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
            await conn.session.update(session={"type": "realtime", "tools": [tool]})  # type: ignore[list-item]
            await conn.response.create()
            events = await events_until(conn, "response.done")
            call = next(e for e in events if e.type == "response.function_call_arguments.done")
            assert (call.name, call.arguments) == ("get_weather", '{"city": "Paris"}')
            await conn.conversation.item.create(
                item={"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}
            )
            await conn.response.create()
            events = await events_until(conn, "response.done")
            said = next(e for e in events if e.type == "response.output_audio_transcript.done")
            assert said.transcript == "It is sunny."
            item_id = said.item_id

            await conn.conversation.item.retrieve(item_id=item_id)
            retrieved = (await events_until(conn, "conversation.item.retrieved"))[-1]
            audio = base64.b64decode(retrieved.item.content[0].audio)
            assert len(audio) > 48 * 100
            await conn.conversation.item.truncate(
                item_id=item_id, content_index=0, audio_end_ms=100
            )
            truncated = (await events_until(conn, "conversation.item.truncated"))[-1]
            assert truncated.audio_end_ms == 100
            await conn.conversation.item.delete(item_id=item_id)
            deleted = (await events_until(conn, "conversation.item.deleted"))[-1]
            assert deleted.item_id == item_id
            await conn.conversation.item.retrieve(item_id=item_id)
            error = (await events_until(conn, "error"))[-1]
            assert error.error.code == "item_not_found"


async def test_openai_sdk_cancels_mid_response_when_audio_is_not_paced() -> None:
    async with Emulator(model=ScriptedModel([LONG])) as emu:
        client = AsyncOpenAI(api_key="sk-test", websocket_base_url=emu.base_url)
        async with client.realtime.connect(model="gpt-realtime") as conn:
            await conn.response.create()
            await events_until(conn, "response.output_audio.delta")
            await conn.response.cancel()
            done = (await events_until(conn, "response.done"))[-1]
            assert done.response.status == "cancelled"
            assert done.response.status_details.reason == "client_cancelled"


async def test_openai_agents_runner_calls_a_tool_and_is_barged_in() -> None:
    agents = pytest.importorskip("agents")
    realtime = pytest.importorskip("agents.realtime")

    @agents.function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"sunny in {city}"

    model = ScriptedModel(
        [CallFunction("get_weather", {"city": "Paris"}), "It is sunny in Paris.", LONG]
    )
    # Paced audio, as the real server's streams: the user can speak over it.
    async with Emulator(model=model, realtime=True, audio_chunk_ms=100) as emu:
        agent = realtime.RealtimeAgent(
            name="weather", instructions="Be brief.", tools=[get_weather]
        )
        runner = realtime.RealtimeRunner(agent)
        session = await runner.run(
            model_config={"url": emu.url + "?model=gpt-realtime-2.1", "api_key": "sk-test"}
        )
        seen: list[str] = []
        errors: list[Any] = []

        async def until(kind: str, also: str | None = None) -> None:
            """Read events up to ``kind`` (after ``also`` was seen, when given)."""
            async for event in session:
                seen.append(event.type)
                if event.type == "error":
                    errors.append(event.error)
                if event.type == "tool_end":
                    assert event.output == "sunny in Paris"
                if event.type == kind and (also is None or also in seen):
                    return

        async with session:
            with anyio.fail_after(20):
                await session.send_message("What is the weather in Paris?")
                await until("agent_end", also="tool_end")
                await session.send_message("Tell me a long story.")
                await until("audio")
                # The user speaks while the answer's audio still streams.
                await session.send_audio(pcm.tone(600).tobytes() + pcm.silence(400).tobytes())
                await until("audio_interrupted")
                await anyio.sleep(0.3)  # its truncate reaches the server
        assert errors == []
        assert "tool_start" in seen and "tool_end" in seen
        received = [e["type"] for e in emu.last.received]
        sent = [e for e in emu.last.sent if e["type"] in ("conversation.item.truncated", "error")]
        assert "conversation.item.truncate" in received
        assert [e["type"] for e in sent] == ["conversation.item.truncated"], sent
