"""response.create's per-response overrides skip the checks session.update makes: an unknown
voice, a voice change once the model has spoken, and metadata past the documented limits
(16 pairs, keys of at most 64 characters, values of at most 512) all start a response."""

from __future__ import annotations

from typing import Any

from ..emulator.sansio import Core


def _answer(c: Core, response: dict[str, Any]) -> list[str]:
    events = c.send({"type": "response.create", "response": response})
    return [e["type"] for e in events]


def test_unknown_voice_for_a_response_is_an_error() -> None:
    c = Core(["hi"])
    kinds = _answer(c, {"audio": {"output": {"voice": "not-a-voice"}}})
    assert kinds[0] == "error"
    assert "response.created" not in kinds


def test_voice_cannot_change_for_a_response_once_the_model_has_spoken() -> None:
    c = Core(["hi", "again"])
    first = c.send({"type": "response.create"})
    assert any(e["type"] == "response.output_audio.delta" for e in first)
    events = c.send(
        {"type": "response.create", "response": {"audio": {"output": {"voice": "ash"}}}}
    )
    errors = [e["error"] for e in events if e["type"] == "error"]
    assert errors and errors[0]["code"] == "cannot_update_voice"
    assert not any(e["type"] == "response.created" for e in events)


def test_metadata_past_sixteen_pairs_is_an_error() -> None:
    c = Core(["hi"])
    kinds = _answer(c, {"metadata": {f"k{i}": "v" for i in range(17)}})
    assert kinds[0] == "error"
    assert "response.created" not in kinds


def test_metadata_key_past_64_characters_is_an_error() -> None:
    c = Core(["hi"])
    kinds = _answer(c, {"metadata": {"k" * 65: "v"}})
    assert kinds[0] == "error"
    assert "response.created" not in kinds
