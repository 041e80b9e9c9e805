"""GPT-Live over a real loopback socket: the emulator's one port serves it beside Realtime,
behind the same key check, and its faults drop a Live connection as they drop a Realtime one."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel

from ..wire import Wire
from .oracle import check_client, check_server, inner
from .sansio import WEATHER, quiet, responses, speech
from .wire import LiveWire, completed

pytestmark = pytest.mark.anyio


def answer(ctx: ModelContext) -> str:
    return f"It is {ctx.pending_outputs[0]['output']} in Paris."


def asked(data: bytes, ms: int) -> str:
    return "What's the weather in Paris?"


async def test_a_delegated_turn_over_the_socket() -> None:
    model = ScriptedModel([CallFunction("get_weather", {"city": "Paris"}), answer])
    async with Emulator(model=model, transcribe=asked) as emu:
        assert emu.live_url == f"ws://127.0.0.1:{emu.port}/v1/live/sessions"
        wire = await LiveWire.open(emu.live_url)
        start = {"model": "gpt-live-1", "delegation": responses(WEATHER)}
        await wire.send({"type": "session.start", "event_id": "s1", "session": start})
        started = await wire.next()
        assert started["type"] == "session.started" and started["client_event_id"] == "s1"

        await wire.send({"type": "session.input_audio.append", "audio": speech(600)})
        await wire.send({"type": "session.input_audio.append", "audio": quiet(400)})
        events = await wire.until(completed)
        transcript = [e for e in events if e["type"] == "session.input_transcript.delta"]
        assert "".join(e["delta"] for e in transcript) == "What's the weather in Paris?"
        assert (transcript[0]["start_ms"], transcript[-1]["end_ms"]) == (0, 800)
        delegation = next(e for e in events if e["type"] == "session.delegation.created")
        call = inner(events, "response.output_item.done")[0]["item"]
        assert call["name"] == "get_weather"

        item = {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"}
        await wire.send({"type": "response.item.create", "item": item})
        await wire.send({"type": "response.create"})
        events = await wire.until("session.usage.updated")
        stream = [e for e in events if e["type"] == "response.event"]
        assert {e["delegation_id"] for e in stream} == {delegation["delegation"]["id"]}
        spoken = [e for e in events if e["type"] == "session.output_transcript.delta"]
        assert "".join(e["delta"] for e in spoken) == "It is sunny in Paris."
        assert spoken[0]["start_ms"] >= 1000
        assert all(a["end_ms"] == b["start_ms"] for a, b in pairwise(spoken))
        assert any(e["type"] == "session.output_audio.delta" for e in events)

        await wire.send({"type": "session.close"})
        closed = await wire.until("session.closed")
        assert closed[-1]["reason"] == "close_requested"
        with pytest.raises(ConnectionClosed):
            await wire.next()
        conn = emu.last
        # What the emulator recorded each way is what the SDK's types accept.
        for frame in conn.received:
            check_client(frame)
        for frame in conn.sent:
            check_server(frame)


async def test_one_port_serves_realtime_and_live_at_once() -> None:
    async with Emulator(model=ScriptedModel(["Realtime here.", "Live here."])) as emu:
        realtime = await Wire.open(emu.url)
        live = await LiveWire.open(emu.live_url)
        await live.send({"type": "session.start", "session": {"model": "gpt-live-1"}})
        assert (await live.next())["type"] == "session.started"
        await realtime.update(output_modalities=["text"])
        await realtime.send({"type": "response.create"})
        done = await realtime.until("response.done")
        text = next(e for e in done if e["type"] == "response.output_text.done")
        assert text["text"] == "Realtime here."
        await live.send({"type": "session.input_audio.append", "audio": speech(300)})
        await live.send({"type": "session.input_audio.append", "audio": quiet(300)})
        events = await live.until("session.usage.updated")
        spoken = "".join(
            e["delta"] for e in events if e["type"] == "session.output_transcript.delta"
        )
        assert spoken == "Live here."
        assert len(emu.connections) == 2
        await realtime.close()
        await live.close()


async def test_live_needs_the_key_when_the_emulator_has_one() -> None:
    async with Emulator(api_key="sk-right") as emu:
        with pytest.raises(InvalidStatus) as refused:
            await LiveWire.open(emu.live_url, key="sk-wrong")
        assert refused.value.response.status_code == 401
        wire = await LiveWire.open(emu.live_url, key="sk-right")
        await wire.send({"type": "session.start", "session": {"model": "gpt-live-1"}})
        assert (await wire.next())["type"] == "session.started"
        await wire.close()


async def test_a_fault_drops_a_live_connection_inside_a_response_event() -> None:
    fault = DropConnection(after="response.function_call_arguments.done", code=1011)
    model = ScriptedModel([CallFunction("get_weather", {"city": "Paris"})])
    async with Emulator(model=model, faults=[fault]) as emu:
        wire = await LiveWire.open(emu.live_url)
        start: dict[str, Any] = {"model": "gpt-live-1", "delegation": responses(WEATHER)}
        await wire.send({"type": "session.start", "session": start})
        await wire.next()
        await wire.send({"type": "session.input_audio.append", "audio": speech(600)})
        await wire.send({"type": "session.input_audio.append", "audio": quiet(400)})
        with pytest.raises(ConnectionClosed) as closed:
            await wire.until(completed)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
        last = wire.events[-1]
        assert last["event"]["type"] == "response.function_call_arguments.done"


async def test_a_live_connection_with_no_socket() -> None:
    import json

    from rtagents.session.transport import TransportClosed

    async with Emulator(model=ScriptedModel(["Hi."])) as emu:
        transport = emu.live_transport()
        start = {"type": "session.start", "session": {"model": "gpt-live-1"}}
        await transport.send(json.dumps(start))
        started = json.loads(await transport.recv())
        check_server(started)
        assert started["type"] == "session.started"
        emu.last.drop()
        with pytest.raises(TransportClosed, match="code 1011"):
            await transport.recv()
