"""Emulator: the input audio buffer, server VAD, responses, function calls, audio formats."""

from __future__ import annotations

import base64
import struct
import warnings
from typing import Any

import pytest
from openai import AsyncOpenAI

from rtagents.audio.formats import downsample, g711_decode
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel, audio

from .wire import Wire, speech, types

pytestmark = pytest.mark.anyio

MANUAL = {"audio": {"input": {"turn_detection": None}}}


async def test_append_bad_base64_commit_small_buffer_and_clear() -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        await wire.update(**MANUAL)
        error = await wire.expect_error(
            {"type": "input_audio_buffer.append", "audio": "!!not base64!!"}
        )
        assert error["param"] == "audio"
        await wire.append(speech(50))
        error = await wire.expect_error({"type": "input_audio_buffer.commit"})
        assert error["code"] == "input_audio_buffer_commit_empty"
        await wire.append(speech(100))
        await wire.send({"type": "input_audio_buffer.commit"})
        committed = await wire.next()
        assert committed["type"] == "input_audio_buffer.committed"
        added = await wire.next()
        assert added["item"]["id"] == committed["item_id"]
        assert added["item"]["content"][0]["type"] == "input_audio"
        assert "audio" not in added["item"]["content"][0]  # events omit audio bytes
        await wire.next()
        await wire.append(speech(200))
        await wire.send({"type": "input_audio_buffer.clear"})
        assert (await wire.next())["type"] == "input_audio_buffer.cleared"
        error = await wire.expect_error({"type": "input_audio_buffer.commit"})
        assert error["code"] == "input_audio_buffer_commit_empty"
        await wire.close()


def _vad(**turn: Any) -> dict[str, Any]:
    return {"audio": {"input": {"turn_detection": {"type": "server_vad", **turn}}}}


async def test_server_vad_start_stop_padding_and_response() -> None:
    async with Emulator(model=ScriptedModel(["I heard you"])) as emu:
        wire = await Wire.open(emu.url)
        await wire.update(
            **_vad(prefix_padding_ms=100, silence_duration_ms=300), output_modalities=["text"]
        )
        await wire.append(audio.silence(500))
        await wire.append(speech(400))
        started = await wire.next()
        assert started["type"] == "input_audio_buffer.speech_started"
        assert started["audio_start_ms"] == 400  # speech at 500 ms minus 100 ms of padding
        await wire.append(audio.silence(400))
        stopped = await wire.next()
        assert stopped == {
            **stopped,
            "type": "input_audio_buffer.speech_stopped",
            "item_id": started["item_id"],
        }
        assert stopped["audio_end_ms"] == 900 + 300  # speech ends at 900 ms, then 300 ms of silence
        events = await wire.until("response.done")
        assert types(events)[:4] == [
            "input_audio_buffer.committed",
            "conversation.item.added",
            "conversation.item.done",
            "response.created",
        ]
        assert events[-1]["response"]["output"][0]["content"][0]["text"] == "I heard you"
        await wire.close()


async def test_server_vad_threshold_and_create_response_false() -> None:
    async with Emulator(model=ScriptedModel(["x"])) as emu:
        wire = await Wire.open(emu.url)
        await wire.update(**_vad(threshold=0.9, create_response=False, silence_duration_ms=200))
        await wire.append(speech(300, amplitude=0.3))  # quieter than 0.9 / 10 RMS? no: 0.21 > 0.09
        assert (await wire.next())["type"] == "input_audio_buffer.speech_started"
        await wire.append(audio.silence(300))
        assert (await wire.next())["type"] == "input_audio_buffer.speech_stopped"
        await wire.until("conversation.item.done")
        await wire.update(**_vad(threshold=0.9))
        await wire.append(speech(500, amplitude=0.05))  # RMS 0.035 < 0.09: not speech
        await wire.append(audio.silence(600))
        await wire.send({"type": "input_audio_buffer.clear"})
        assert (await wire.next())["type"] == "input_audio_buffer.cleared"  # nothing before it
        assert "response.created" not in types(wire.events)
        await wire.close()


async def test_server_vad_interrupts_an_active_response() -> None:
    async with Emulator(model=ScriptedModel(["a long answer " * 10, "ok"]), realtime=True) as emu:
        wire = await Wire.open(emu.url)
        await wire.update(**_vad(silence_duration_ms=200))
        await wire.send({"type": "response.create"})
        await wire.until("response.output_audio.delta")
        await wire.append(speech(300))
        events = await wire.until("response.done")
        assert "input_audio_buffer.speech_started" in types(events)
        done = events[-1]["response"]
        assert done["status"] == "cancelled"
        assert done["status_details"]["reason"] == "turn_detected"
        assert done["output"][0]["status"] == "incomplete"
        await wire.close()


async def test_interrupt_response_false_lets_the_response_finish() -> None:
    async with Emulator(
        model=ScriptedModel(["one two three"]), realtime=True, audio_chunk_ms=100
    ) as emu:
        wire = await Wire.open(emu.url)
        await wire.update(**_vad(interrupt_response=False, create_response=False))
        await wire.send({"type": "response.create"})
        await wire.until("response.output_audio.delta")
        await wire.append(speech(300))
        events = await wire.until("response.done")
        assert events[-1]["response"]["status"] == "completed"
        await wire.close()


AUDIO_ORDER = [
    "response.created",
    "response.output_item.added",
    "conversation.item.added",
    "response.content_part.added",
    "response.output_audio_transcript.delta",
    "response.output_audio.delta",
]
AUDIO_TAIL = [
    "response.output_audio.done",
    "response.output_audio_transcript.done",
    "response.content_part.done",
    "response.output_item.done",
    "conversation.item.done",
    "response.done",
]


async def test_audio_response_event_order_and_usage() -> None:
    async with Emulator(model=ScriptedModel(["Hi there"])) as emu:
        wire = await Wire.open(emu.url)
        await wire.send({"type": "response.create"})
        events = await wire.until("response.done")
        kinds = types(events)
        assert kinds[: len(AUDIO_ORDER)] == AUDIO_ORDER
        assert kinds[-len(AUDIO_TAIL) :] == AUDIO_TAIL
        transcript = "".join(
            e["delta"] for e in events if e["type"] == "response.output_audio_transcript.delta"
        )
        assert transcript == "Hi there"
        pcm = b"".join(
            base64.b64decode(e["delta"])
            for e in events
            if e["type"] == "response.output_audio.delta"
        )
        said = emu.settings.voice.speak("Hi there")  # the voice's, whole, to a whole ms
        assert pcm[: len(said)] == said and len(pcm) == -(-len(said) // 48) * 48
        response = events[-1]["response"]
        assert response["status"] == "completed"
        assert response["usage"]["output_tokens"] > 0
        assert "audio" not in response["output"][0]["content"][0]
        await wire.close()


@pytest.mark.parametrize("fmt", ["audio/pcmu", "audio/pcma"])
async def test_g711_output(fmt: str) -> None:
    async with Emulator(model=ScriptedModel(["Hey"])) as emu:
        wire = await Wire.open(emu.url)
        await wire.update(audio={"output": {"format": {"type": fmt}}})
        await wire.send({"type": "response.create"})
        events = await wire.until("response.done")
        data = b"".join(
            base64.b64decode(e["delta"])
            for e in events
            if e["type"] == "response.output_audio.delta"
        )
        ms = -(-len(emu.settings.voice.speak("Hey")) // 48)  # the voice's, to a whole ms
        assert len(data) == ms * 8  # one byte per sample at 8 kHz
        assert events[-1]["response"]["audio"]["output"]["format"]["type"] == fmt
        await wire.close()


def test_g711_codecs_match_the_standard() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")
    pcm = audio.tone(20, amplitude=0.9)
    raw = pcm.tobytes()
    at_8k = downsample(pcm).tobytes()  # low-passed, then every third sample
    assert audio.from_pcm16(pcm, "audio/pcmu") == audioop.lin2ulaw(at_8k, 2)
    assert audio.from_pcm16(pcm, "audio/pcma") == audioop.lin2alaw(at_8k, 2)
    ulaw = audioop.lin2ulaw(raw, 2)
    decoded = g711_decode(ulaw, "audio/pcmu")  # (to_pcm16 then upsamples it to 24 kHz)
    assert list(decoded) == list(struct.unpack(f"<{len(ulaw)}h", audioop.ulaw2lin(ulaw, 2)))


async def test_response_overrides_text_mode_and_out_of_band() -> None:
    model = ScriptedModel(["in band", "out of band"])
    async with Emulator(model=model) as emu:
        wire = await Wire.open(emu.url)
        await wire.send(
            {
                "type": "response.create",
                "response": {
                    "instructions": "Be terse.",
                    "output_modalities": ["text"],
                    "metadata": {"k": "v"},
                },
            }
        )
        events = await wire.until("response.done")
        assert "response.output_text.delta" in types(events)
        assert model.contexts[0].instructions == "Be terse."
        assert events[-1]["response"]["metadata"] == {"k": "v"}
        await wire.send(
            {
                "type": "response.create",
                "response": {"conversation": "none", "output_modalities": ["text"]},
            }
        )
        events = await wire.until("response.done")
        assert "conversation.item.added" not in types(events)
        assert events[-1]["response"]["conversation_id"] is None
        assert len(emu.last.conversation.items) == 1
        await wire.close()


async def test_only_one_active_response_and_cancel() -> None:
    async with Emulator(model=ScriptedModel(["a b c d e f g h"]), realtime=True) as emu:
        wire = await Wire.open(emu.url)
        error = await wire.expect_error({"type": "response.cancel"})
        assert error["code"] == "response_cancel_not_active"
        await wire.send({"type": "response.create"})
        await wire.until("response.created")
        await wire.send({"type": "response.create", "event_id": "second"})
        events = await wire.until("error")
        assert events[-1]["error"]["code"] == "conversation_already_has_active_response"
        assert events[-1]["error"]["event_id"] == "second"
        await wire.send({"type": "response.cancel"})
        events = await wire.until("response.done")
        done = events[-1]["response"]
        assert (done["status"], done["status_details"]["reason"]) == (
            "cancelled",
            "client_cancelled",
        )
        await wire.close()


async def test_max_output_tokens_gives_an_incomplete_response() -> None:
    async with Emulator(model=ScriptedModel(["word " * 40])) as emu:
        wire = await Wire.open(emu.url)
        await wire.send(
            {
                "type": "response.create",
                "response": {"max_output_tokens": 5, "output_modalities": ["text"]},
            }
        )
        done = (await wire.until("response.done"))[-1]["response"]
        assert (done["status"], done["status_details"]["reason"]) == (
            "incomplete",
            "max_output_tokens",
        )
        assert len(done["output"][0]["content"][0]["text"]) <= 20
        await wire.close()


async def test_function_call_waits_for_output_and_response_create() -> None:
    def answer(ctx: ModelContext) -> Say:
        return Say(f"It is {ctx.pending_outputs[0]['output']}")

    model = ScriptedModel(
        [[CallFunction("get_weather", {"city": "Paris"}, call_id="call_1")], answer]
    )
    async with Emulator(model=model) as emu:
        wire = await Wire.open(emu.url)
        await wire.update(
            tools=[{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}],
            output_modalities=["text"],
        )
        await wire.send({"type": "response.create"})
        events = await wire.until("response.done")
        assert types(events)[1:7] == [
            "response.output_item.added",
            "conversation.item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
            "conversation.item.done",
        ]
        args = next(e for e in events if e["type"] == "response.function_call_arguments.done")
        assert (args["call_id"], args["name"], args["arguments"]) == (
            "call_1",
            "get_weather",
            '{"city": "Paris"}',
        )
        assert events[-1]["response"]["output"][0]["type"] == "function_call"
        await wire.send(
            {
                "type": "conversation.item.create",
                "item": {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
            }
        )
        await wire.until("conversation.item.done")
        await wire.send({"type": "response.create"})
        events = await wire.until("response.done")
        assert events[-1]["response"]["output"][0]["content"][0]["text"] == "It is sunny"
        await wire.close()


async def test_output_audio_buffer_clear() -> None:
    async with Emulator(model=ScriptedModel(["Hi"]), webrtc=True) as emu:
        wire = await Wire.open(emu.url)
        await wire.send({"type": "response.create"})
        done = (await wire.until("response.done"))[-1]
        await wire.send({"type": "output_audio_buffer.clear"})
        cleared = await wire.next()
        assert cleared["type"] == "output_audio_buffer.cleared"
        assert cleared["response_id"] == done["response"]["id"]
        await wire.close()


async def test_transcription_of_committed_audio() -> None:
    async with Emulator(transcribe=lambda data, ms: f"heard {ms} ms") as emu:
        wire = await Wire.open(emu.url)
        await wire.update(
            audio={"input": {"turn_detection": None, "transcription": {"model": "whisper-1"}}}
        )
        await wire.append(speech(300))
        await wire.send({"type": "input_audio_buffer.commit"})
        events = await wire.until("conversation.item.input_audio_transcription.completed")
        assert events[-1]["transcript"] == "heard 300 ms"
        await wire.close()


async def test_the_openai_sdk_drives_a_text_and_an_audio_turn() -> None:
    model = ScriptedModel(["Paris is sunny.", "I heard you."])
    async with Emulator(model=model) as emu:
        client = AsyncOpenAI(api_key="sk-test", websocket_base_url=emu.base_url)
        async with client.realtime.connect(model="gpt-realtime") as conn:
            await conn.session.update(
                session={
                    "type": "realtime",
                    "instructions": "Be brief.",
                    "audio": {
                        "input": {
                            "turn_detection": {"type": "server_vad", "silence_duration_ms": 200}
                        }
                    },
                }
            )
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "Weather in Paris?"}],
                }
            )
            await conn.response.create()
            seen: list[str] = []
            transcript = ""
            async for event in conn:  # the SDK parses every frame into its own models
                seen.append(event.type)
                if event.type == "response.output_audio_transcript.done":
                    transcript = event.transcript
                if event.type == "response.done":
                    break
            else:
                pytest.fail("the session ended before the event this loop waits for")
            assert transcript == "Paris is sunny."
            assert seen[:3] == ["session.created", "conversation.created", "session.updated"]
            pcm = speech(400).tobytes() + audio.silence(300).tobytes()
            await conn.input_audio_buffer.append(audio=base64.b64encode(pcm).decode())
            async for event in conn:
                seen.append(event.type)
                if event.type == "response.done":
                    assert event.response.status == "completed"
                    break
            else:
                pytest.fail("the session ended before the event this loop waits for")
            assert {
                "input_audio_buffer.speech_started",
                "input_audio_buffer.speech_stopped",
                "input_audio_buffer.committed",
            } <= set(seen)
        assert model.contexts[0].instructions == "Be brief."
        assert model.contexts[0].last_user_text == "Weather in Paris?"


async def test_semantic_vad_ends_turns_by_eagerness() -> None:
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        wire = await Wire.open(emu.url)
        await wire.update(
            audio={
                "input": {
                    "turn_detection": {
                        "type": "semantic_vad",
                        "eagerness": "high",
                        "create_response": False,
                    }
                }
            }
        )
        await wire.append(speech(200))
        assert (await wire.next())["type"] == "input_audio_buffer.speech_started"
        await wire.append(audio.silence(300))
        stopped = await wire.next()
        assert (stopped["type"], stopped["audio_end_ms"]) == (
            "input_audio_buffer.speech_stopped",
            500,
        )
        await wire.close()
