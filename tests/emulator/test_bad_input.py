"""Input the server must refuse or bound without losing the session: malformed
``response.input``, a commit of too little audio, more input audio than the buffer holds,
and connections that close with audio still buffered."""

from __future__ import annotations

import base64
import gc
import tracemalloc
from typing import Any

import pytest

from rtagents.emulator import Emulator
from rtagents.emulator import audio as pcm
from rtagents.emulator.input_audio import MAX_BUFFER_BYTES

from .sansio import Core, types
from .wire import Wire

NO_VAD = {
    "type": "session.update",
    "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
}


def user_item(text: str, item_id: str) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "message", "role": "user", "id": item_id}
    item["content"] = [{"type": "input_text", "text": text}]
    return {"type": "conversation.item.create", "item": item}


def respond(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.create", "response": {"input": list(entries)}}


@pytest.mark.parametrize(
    ("entries", "param", "code"),
    [
        ([{"type": "item_reference"}], "response.input[0].id", "missing_required_parameter"),
        (
            [{"type": "item_reference", "id": ""}],
            "response.input[0].id",
            "missing_required_parameter",
        ),
        (
            [{"type": "item_reference", "id": "item_a"}, {"type": "item_reference", "id": "gone"}],
            "response.input[1].id",
            "item_not_found",
        ),
        ([{"type": "message"}], "response.input[0].role", "missing_required_parameter"),
        ([{"type": "message", "role": "robot"}], "response.input[0].role", "invalid_value"),
        ([{"type": "bogus"}], "response.input[0].type", "invalid_value"),
    ],
)
def test_a_malformed_response_input_is_an_error_and_no_response_hangs(
    entries: list[dict[str, Any]], param: str, code: str
) -> None:
    core = Core(["Fine."])
    core.send(user_item("hi", "item_a"))
    out = core.send(respond(*entries))
    assert types(out) == ["error"], types(out)
    assert out[0]["error"]["param"] == param
    assert out[0]["error"]["code"] == code
    assert out[0]["error"]["event_id"] == "c1"
    # No response was started, so none is left hanging: the next one runs to its end.
    out = core.send(respond({"type": "item_reference", "id": "item_a"}))
    assert types(out)[0] == "response.created" and "response.done" in types(out)
    done = next(e for e in out if e["type"] == "response.done")
    assert done["response"]["status"] == "completed"


def test_a_response_whose_referenced_item_is_deleted_meanwhile_still_ends() -> None:
    core = Core(hold_model=True)
    core.send(user_item("hi", "item_a"))
    out = core.send(respond({"type": "item_reference", "id": "item_a"}))
    assert types(out) == ["response.created"]
    core.send({"type": "conversation.item.delete", "item_id": "item_a"})
    assert [i["id"] for i in core.asked[0].context.items] == ["item_a"]
    out = core.answer("Done.")
    assert types(out)[-2:] == ["response.done", "rate_limits.updated"]
    assert out[-2]["response"]["status"] == "completed"


def test_a_too_small_commit_says_how_much_audio_there_was() -> None:
    core = Core()
    core.send(NO_VAD)
    [error] = core.send({"type": "input_audio_buffer.commit"})
    assert error["error"]["code"] == "input_audio_buffer_commit_empty"
    assert error["error"]["message"] == (
        "Error committing input audio buffer: buffer too small. Expected at least 100ms of "
        "audio, but buffer only has 0.00ms of audio."
    )
    audio = base64.b64encode(pcm.tone(42).tobytes()[:-2] + b"\x01\x00").decode()
    core.send({"type": "input_audio_buffer.append", "audio": audio})
    [error] = core.send({"type": "input_audio_buffer.commit"})
    assert error["error"]["message"].endswith("but buffer only has 42.00ms of audio.")


SPEECH = base64.b64encode(pcm.tone(1000).tobytes()).decode()  # a second: 48 KB of pcm16
SILENCE = base64.b64encode(pcm.silence(1000).tobytes()).decode()


def append(audio: str) -> dict[str, Any]:
    return {"type": "input_audio_buffer.append", "audio": audio}


def test_the_input_buffer_keeps_only_its_latest_two_minutes() -> None:
    assert MAX_BUFFER_BYTES == 2 * 60 * 24_000 * 2
    core = Core()
    core.send(NO_VAD)
    for _ in range(180):
        assert core.send(append(SPEECH)) == []
    assert core.core.audio.buffered_bytes == MAX_BUFFER_BYTES
    out = core.send({"type": "input_audio_buffer.commit"})
    committed = next(e for e in out if e["type"] == "input_audio_buffer.committed")
    [item] = [i for i in core.core.conversation.items if i["id"] == committed["item_id"]]
    assert len(base64.b64decode(item["content"][0]["audio"])) == MAX_BUFFER_BYTES
    assert item["_audio_ms"] == 120_000
    assert core.core.audio.buffered_bytes == 0


def test_with_server_vad_long_silence_is_bounded_and_a_turn_after_it_still_works() -> None:
    core = Core(["Heard you."])
    for _ in range(150):
        assert core.send(append(SILENCE)) == []
    assert core.core.audio.buffered_bytes <= MAX_BUFFER_BYTES
    out = core.send(append(SPEECH)) + core.send(append(SILENCE))
    assert "input_audio_buffer.committed" in types(out) and "response.done" in types(out)
    started = next(e for e in out if e["type"] == "input_audio_buffer.speech_started")
    assert started["audio_start_ms"] == 150_000 - 300  # on audio time, padding included


async def stream_a_minute_and_close(emu: Emulator) -> None:
    wire = await Wire.open(emu.url)
    await wire.update(audio={"input": {"turn_detection": None}})
    for _ in range(60):  # a minute of audio (2.9 MB), under the buffer's bound
        await wire.send(append(SPEECH))
    await wire.close()
    await emu.last.closed.wait()


@pytest.mark.anyio
async def test_closed_connections_free_their_input_audio() -> None:
    async with Emulator() as emu:
        await stream_a_minute_and_close(emu)  # the first connection warms caches up
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(3):
                await stream_a_minute_and_close(emu)
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        # Three minutes of audio were sent (8.6 MB); a closed connection keeps none of it
        # (what grows is the frames recorded for tests, about 70 KB a connection).
        assert grown < 1_000_000, grown
        closed = emu.connections[-3:]
        assert all(conn.core.closed for conn in closed)
        assert [conn.core.audio.buffered_bytes for conn in closed] == [0, 0, 0]
