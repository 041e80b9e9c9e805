"""Emulator: connecting, session.update, conversation items, malformed frames."""

from __future__ import annotations

import base64
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from rtagents.emulator import Emulator, ScriptedModel

from .wire import Wire

pytestmark = pytest.mark.anyio


async def test_session_created_then_update_merges() -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        s = await wire.update(instructions="Be brief.")
        assert s["instructions"] == "Be brief."
        s = await wire.update(audio={"output": {"voice": "cedar"}})
        assert s["instructions"] == "Be brief."  # untouched fields stay
        assert s["audio"]["output"]["voice"] == "cedar"
        assert s["audio"]["input"]["turn_detection"]["type"] == "server_vad"  # nested merge
        s = await wire.update(audio={"input": {"turn_detection": None}})
        assert s["audio"]["input"]["turn_detection"] is None
        assert s["audio"]["output"]["voice"] == "cedar"
        await wire.close()


@pytest.mark.parametrize(
    ("session", "param"),
    [
        ({"audio": {"output": {"speed": 2.0}}}, "session.audio.output.speed"),
        ({"audio": {"output": {"speed": 0.1}}}, "session.audio.output.speed"),
        ({"audio": {"output": {"format": {"type": "audio/mp3"}}}}, "session.audio.output.format"),
        ({"audio": {"input": {"format": {"type": "audio/flac"}}}}, "session.audio.input.format"),
        ({"audio": {"output": {"voice": "robot"}}}, "session.audio.output.voice"),
        ({"instructions": 42}, "session.instructions"),
        ({"max_output_tokens": 99999}, "session.max_output_tokens"),
        ({"model": "another-model"}, "session.model"),
        ({"tools": [{"type": "mcp"}]}, "session.tools[0].server_label"),
        (
            {"audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": 3}}}},
            "session.audio.input.turn_detection.threshold",
        ),
        (
            {"truncation": {"type": "retention_ratio", "retention_ratio": 2}},
            "session.truncation.retention_ratio",
        ),
    ],
)
async def test_invalid_session_update_names_param_and_changes_nothing(
    session: dict[str, object], param: str
) -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        before = json.dumps(emu.last.session, sort_keys=True)
        error = await wire.expect_error(
            {
                "type": "session.update",
                "event_id": "evt_42",
                "session": {"type": "realtime", **session},
            }
        )
        assert error["param"] == param
        assert error["event_id"] == "evt_42"
        assert error["type"] == "invalid_request_error"
        assert json.dumps(emu.last.session, sort_keys=True) == before
        await wire.close()


async def test_voice_cannot_change_after_audio() -> None:
    async with Emulator(model=ScriptedModel(["Hi"])) as emu:
        wire = await Wire.open(emu.url)
        await wire.send({"type": "response.create"})
        await wire.until("response.done")
        error = await wire.expect_error(
            {
                "type": "session.update",
                "session": {"type": "realtime", "audio": {"output": {"voice": "ash"}}},
            }
        )
        assert error["code"] == "cannot_update_voice"
        await wire.close()


def _user(text: str, item_id: str | None = None) -> dict[str, object]:
    item: dict[str, object] = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": text}],
    }
    if item_id:
        item["id"] = item_id
    return item


async def test_item_create_with_previous_item_id() -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        await wire.send({"type": "conversation.item.create", "item": _user("one", "a")})
        added, done = await wire.next(), await wire.next()
        assert (added["type"], done["type"]) == (
            "conversation.item.added",
            "conversation.item.done",
        )
        assert added["previous_item_id"] is None and added["item"]["id"] == "a"
        await wire.send({"type": "conversation.item.create", "item": _user("three", "c")})
        assert (await wire.next())["previous_item_id"] == "a"
        await wire.next()
        await wire.send(
            {"type": "conversation.item.create", "previous_item_id": "a", "item": _user("two", "b")}
        )
        assert (await wire.next())["previous_item_id"] == "a"
        await wire.next()
        await wire.send(
            {
                "type": "conversation.item.create",
                "previous_item_id": "root",
                "item": _user("zero", "z"),
            }
        )
        assert (await wire.next())["previous_item_id"] is None
        await wire.next()
        assert [i["id"] for i in emu.last.conversation.items] == ["z", "a", "b", "c"]
        error = await wire.expect_error(
            {"type": "conversation.item.create", "previous_item_id": "nope", "item": _user("x")}
        )
        assert (error["code"], error["param"]) == ("previous_item_not_found", "previous_item_id")
        error = await wire.expect_error(
            {"type": "conversation.item.create", "item": _user("dup", "a")}
        )
        assert error["code"] == "item_id_duplicate"
        assert len(emu.last.conversation.items) == 4
        await wire.close()


async def test_delete_and_retrieve() -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        await wire.send({"type": "conversation.item.create", "item": _user("hello", "a")})
        await wire.until("conversation.item.done")
        await wire.send({"type": "conversation.item.retrieve", "item_id": "a"})
        got = await wire.next()
        assert got["type"] == "conversation.item.retrieved"
        assert got["item"]["content"][0]["text"] == "hello"
        await wire.send({"type": "conversation.item.delete", "item_id": "a"})
        assert await wire.next() == {
            **wire.events[-1],
            "type": "conversation.item.deleted",
            "item_id": "a",
        }
        for event in (
            {"type": "conversation.item.delete", "item_id": "a"},
            {"type": "conversation.item.retrieve", "item_id": "a"},
        ):
            error = await wire.expect_error(event)
            assert (error["code"], error["param"]) == ("item_not_found", "item_id")
        await wire.close()


async def test_truncate_audio() -> None:
    async with Emulator(model=ScriptedModel(["Hello world"])) as emu:
        wire = await Wire.open(emu.url)
        await wire.send({"type": "response.create"})
        events = await wire.until("response.done")
        item_id = next(e["item_id"] for e in events if e["type"] == "response.output_audio.delta")
        await wire.send({"type": "conversation.item.retrieve", "item_id": item_id})
        audio_b64 = (await wire.next())["item"]["content"][0]["audio"]
        length_ms = len(base64.b64decode(audio_b64)) // 48
        # All of the voice's audio, to a whole millisecond.
        assert length_ms == -(-len(emu.settings.voice.speak("Hello world")) // 48)
        error = await wire.expect_error(
            {
                "type": "conversation.item.truncate",
                "item_id": item_id,
                "content_index": 0,
                "audio_end_ms": length_ms + 1,
            }
        )
        assert error["param"] == "audio_end_ms"
        await wire.send(
            {
                "type": "conversation.item.truncate",
                "item_id": item_id,
                "content_index": 0,
                "audio_end_ms": 200,
            }
        )
        truncated = await wire.next()
        assert truncated == {
            **truncated,
            "type": "conversation.item.truncated",
            "item_id": item_id,
            "audio_end_ms": 200,
        }
        await wire.send({"type": "conversation.item.retrieve", "item_id": item_id})
        part = (await wire.next())["item"]["content"][0]
        assert len(base64.b64decode(part["audio"])) == 200 * 48
        assert part["transcript"] == ""
        await wire.send({"type": "conversation.item.create", "item": _user("hi", "u")})
        await wire.until("conversation.item.done")
        error = await wire.expect_error(
            {
                "type": "conversation.item.truncate",
                "item_id": "u",
                "content_index": 0,
                "audio_end_ms": 0,
            }
        )
        assert error["param"] == "item_id"
        await wire.close()


@pytest.mark.parametrize(
    ("frame", "code", "param"),
    [
        ("{not json", "invalid_json", None),
        ("[1, 2]", "invalid_json", None),
        ('{"type": "session.explode"}', "invalid_value", "type"),
        ('{"type": "conversation.item.delete"}', "missing_required_parameter", "item_id"),
        (
            '{"type": "conversation.item.truncate", "item_id": "x", "content_index": 0, "audio_end_ms": -5}',
            "invalid_value",
            "audio_end_ms",
        ),
    ],
)
async def test_malformed_frames_answer_an_error_and_the_connection_stays_open(
    frame: str, code: str, param: str | None
) -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        error = await wire.expect_error(frame)
        assert (error["code"], error["param"]) == (code, param)
        assert (await wire.update(instructions="still here"))["instructions"] == "still here"
        await wire.close()


async def test_function_call_output_needs_a_call() -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        error = await wire.expect_error(
            {
                "type": "conversation.item.create",
                "item": {"type": "function_call_output", "call_id": "nope", "output": "x"},
            }
        )
        assert error["param"] == "item.call_id"
        await wire.close()


async def test_wrong_path_is_404_and_openai_url_shape_works() -> None:
    async with Emulator() as emu:
        with pytest.raises(InvalidStatus) as info:
            await connect(emu.url.replace("/v1/realtime", "/nope"))
        assert info.value.response.status_code == 404
        async with connect(emu.url + "?model=gpt-realtime-mini") as ws:
            created = json.loads(await ws.recv())
        assert created["session"]["model"] == "gpt-realtime-mini"


async def test_watchers_see_what_is_sent_and_only_the_kinds_they_ask_for() -> None:
    # Events are serialised straight to frames; a watcher's dict must still be the frame's
    # content, and a watcher given kinds must see those and nothing else.
    everything: list[dict[str, object]] = []
    done: list[dict[str, object]] = []
    async with Emulator(model=ScriptedModel(["Hello there"]), record=0) as emu:
        wire = await Wire.open(emu.url)
        emu.last.watch(everything.append)
        emu.last.watch(done.append, {"response.done"})
        await wire.update(output_modalities=["text"])
        await wire.send({"type": "response.create"})
        await wire.until("response.done")
        await wire.close()
    received = wire.events[2:]  # after session.created and conversation.created
    assert everything == received
    assert [e["type"] for e in done] == ["response.done"]
    assert done[0] == next(e for e in received if e["type"] == "response.done")


async def test_a_narrow_watcher_alone_is_told_of_its_kinds() -> None:
    # No tap and no other watcher: only this watcher's asking makes its events dicts (as for
    # a phone call's simulated caller, which watches six kinds).
    said: list[dict[str, object]] = []
    async with Emulator(model=ScriptedModel(["Grüße"]), record=0) as emu:
        wire = await Wire.open(emu.url)
        emu.last.watch(said.append, {"response.output_text.done", "response.done"})
        await wire.update(output_modalities=["text"])
        await wire.send({"type": "response.create"})
        await wire.until("response.done")
        await wire.close()
        with pytest.raises(TypeError, match="collection of event types"):
            emu.last.watch(said.append, "response.done")
    kinds = ("response.output_text.done", "response.done")
    assert said == [e for e in wire.events if e["type"] in kinds]
    assert [e["type"] for e in said] == list(kinds)
    assert said[0]["text"] == "Grüße"
