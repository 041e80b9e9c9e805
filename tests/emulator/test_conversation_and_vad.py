"""The emulator's conversation and its voice activity detector, tested directly."""

from __future__ import annotations

import pytest

from rtagents.emulator import audio
from rtagents.emulator.conversation import Conversation, full_item, public_item
from rtagents.emulator.errors import ClientEventError
from rtagents.emulator.vad import EnergyVad


def test_items_go_after_their_previous_item_or_at_the_root() -> None:
    conv = Conversation()
    assert conv.add({"id": "a"}) is None
    assert conv.add({"id": "b"}) == "a"
    assert conv.add({"id": "c"}, "root") is None
    assert conv.add({"id": "d"}, "a") == "a"
    assert [i["id"] for i in conv.items] == ["c", "a", "d", "b"]
    with pytest.raises(ClientEventError) as unknown:
        conv.add({"id": "e"}, "nope")
    assert unknown.value.code == "previous_item_not_found"
    with pytest.raises(ClientEventError) as duplicate:
        conv.add({"id": "a"})
    assert duplicate.value.code == "item_id_duplicate"
    conv.delete("d")
    assert conv.previous_id("b") == "a"
    with pytest.raises(ClientEventError) as missing:
        conv.get("d")
    assert (missing.value.code, missing.value.param) == ("item_not_found", "item_id")


def test_a_response_input_resolves_item_references() -> None:
    conv = Conversation()
    conv.add({"id": "a", "type": "message"})
    given = [{"type": "item_reference", "id": "a"}, {"type": "message", "role": "user", "id": "x"}]
    assert [i["id"] for i in conv.context(given)] == ["a", "x"]
    with pytest.raises(ClientEventError) as missing:
        conv.context([*given, {"type": "item_reference", "id": "zz"}])
    assert missing.value.param == "response.input[2].id"


def test_events_show_items_without_audio_and_retrieve_shows_it() -> None:
    item = {
        "id": "i",
        "type": "message",
        "content": [{"type": "output_audio", "transcript": "hi"}],
        "_pcm": bytearray(b"\x01\x00"),
    }
    assert public_item(item) == {k: v for k, v in item.items() if k != "_pcm"}
    assert full_item(item)["content"][0]["audio"] == "AQA="


def test_vad_finds_speech_on_audio_time() -> None:
    vad = EnergyVad(prefix_padding_ms=100, silence_duration_ms=200)
    events = vad.feed(audio.silence(500))
    assert events == [] and not vad.speaking
    [started] = vad.feed(audio.tone(300))
    assert (started.kind, started.audio_ms) == ("started", 400)
    assert vad.feed(audio.silence(190)) == []  # a pause shorter than the silence
    [stopped] = vad.feed(audio.silence(10) + audio.tone(0))
    assert (stopped.kind, stopped.audio_ms) == ("stopped", 1000)


def test_vad_threshold_and_partial_frames() -> None:
    quiet = EnergyVad(threshold=0.9)
    assert quiet.feed(audio.tone(300, amplitude=0.05)) == []
    loud = EnergyVad()
    tone = audio.tone(20)
    assert loud.feed(tone[:100]) == []  # less than a 10 ms frame: nothing yet
    assert [e.kind for e in loud.feed(tone[100:])] == ["started"]
