"""``include: ["item.input_audio_transcription.logprobs"]`` is accepted and echoed by
``session.updated`` but ignored: the transcription events never carry ``logprobs``."""

from __future__ import annotations

import base64

from ..emulator.sansio import Core


def test_included_logprobs_come_with_the_transcript() -> None:
    c = Core(["ok"], transcribe=lambda data, ms: "hello world")
    session = {
        "type": "realtime",
        "include": ["item.input_audio_transcription.logprobs"],
        "audio": {
            "input": {"turn_detection": None, "transcription": {"model": "gpt-4o-transcribe"}}
        },
    }
    updated = c.send({"type": "session.update", "session": session})
    assert updated[0]["session"]["include"] == ["item.input_audio_transcription.logprobs"]
    c.send({"type": "input_audio_buffer.append", "audio": base64.b64encode(bytes(9600)).decode()})
    events = c.send({"type": "input_audio_buffer.commit"})
    done = [
        e for e in events if e["type"] == "conversation.item.input_audio_transcription.completed"
    ]
    assert len(done) == 1
    assert isinstance(done[0].get("logprobs"), list) and done[0]["logprobs"]
    delta = [e for e in events if e["type"] == "conversation.item.input_audio_transcription.delta"]
    assert delta and all(isinstance(e.get("logprobs"), list) for e in delta)
