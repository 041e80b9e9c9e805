"""A user turn that barges in gets its response.

Rule (the real server's semantics, docs/emulator.md "like the real server"): with server VAD's
defaults (``interrupt_response`` and ``create_response`` true), speech that starts while a
response streams cancels that response, and the turn committed when the speech stops gets a
new response. The emulator cancels the running response, but the turn is committed while the
cancelled response has not yet finished stepping (its ``response.done`` is still to come), so
``add_user_audio`` sees ``self.active`` still set and starts nothing: the user's turn is left
unanswered. It happens whenever the speech's start and stop reach the server before the
response's next step: audio sent faster than real time (a file, a test), one append holding
the whole utterance, or a response waiting on a hosted MCP listing.
"""

from __future__ import annotations

import base64

from rtagents.emulator import audio
from tests.emulator.sansio import Core

LONG = " ".join(["word"] * 60)  # seconds of paced audio: still streaming when the user speaks


def _b64(pcm: bytes) -> str:
    return base64.b64encode(pcm).decode()


def _kinds(events: list[dict]) -> list[str]:
    out = []
    for e in events:
        if e["type"] == "response.done":
            out.append(f"response.done:{e['response']['status']}")
        elif "delta" not in e["type"]:
            out.append(e["type"])
    return out


def test_a_turn_that_barges_in_in_one_append_is_answered() -> None:
    core = Core([LONG, "Second answer."], realtime=True, audio_chunk_ms=100)
    assert core.send({"type": "response.create"})[0]["type"] == "response.created"
    speech = audio.tone(600).tobytes() + audio.silence(400).tobytes()
    events = core.send({"type": "input_audio_buffer.append", "audio": _b64(speech)})
    events += core.run(until_ms=60_000)
    kinds = _kinds(events)
    assert "input_audio_buffer.committed" in kinds
    assert "response.done:cancelled" in kinds  # the barge-in cancelled the first answer
    # ... and the user's turn got its own response.
    assert kinds.count("response.created") == 1, kinds
    assert kinds[-2:] == ["response.done:completed", "rate_limits.updated"], kinds


def test_a_turn_that_barges_in_over_two_quick_appends_is_answered() -> None:
    core = Core([LONG, "Second answer."], realtime=True, audio_chunk_ms=100)
    core.send({"type": "response.create"})
    events = core.send(
        {"type": "input_audio_buffer.append", "audio": _b64(audio.tone(600).tobytes())}
    )
    events += core.send(
        {"type": "input_audio_buffer.append", "audio": _b64(audio.silence(400).tobytes())}
    )
    events += core.run(until_ms=60_000)
    kinds = _kinds(events)
    assert "response.done:cancelled" in kinds
    assert kinds.count("response.created") == 1, kinds
