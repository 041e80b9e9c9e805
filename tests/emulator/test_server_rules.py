"""The emulator refuses what the real server refuses, with its codes and params. No socket:
the server's connection is driven directly."""

from __future__ import annotations

from typing import Any

import pytest

from .sansio import Core

Server = Core


def update(**session: Any) -> dict[str, Any]:
    return {"type": "session.update", "session": {"type": "realtime", **session}}


def test_session_type_is_required() -> None:
    error = Server().error_for({"type": "session.update", "session": {"instructions": "x"}})
    assert error is not None
    assert (error["code"], error["param"]) == ("missing_required_parameter", "session.type")


@pytest.mark.parametrize("idle", [4999, 30001])
def test_idle_timeout_has_the_real_range(idle: int) -> None:
    vad = {"type": "server_vad", "idle_timeout_ms": idle}
    error = Server().error_for(update(audio={"input": {"turn_detection": vad}}))
    assert (
        error is not None and error["param"] == "session.audio.input.turn_detection.idle_timeout_ms"
    )
    ok = {"type": "server_vad", "idle_timeout_ms": 5000}
    assert Server().error_for(update(audio={"input": {"turn_detection": ok}})) is None


def test_output_modalities_are_text_or_audio_not_both() -> None:
    error = Server().error_for(update(output_modalities=["text", "audio"]))
    assert error is not None and error["param"] == "session.output_modalities"


def test_tracing_cannot_change_once_set() -> None:
    server = Server()
    assert server.error_for(update(tracing={"workflow_name": "a"})) is None
    assert server.error_for(update(tracing={"workflow_name": "a"})) is None  # the same
    error = server.error_for(update(tracing={"workflow_name": "b"}))
    assert error is not None and error["param"] == "session.tracing"


def test_the_model_cannot_change() -> None:
    error = Server().error_for(update(model="gpt-realtime-mini"))
    assert error is not None and error["param"] == "session.model"


def test_an_assistant_message_cannot_carry_audio() -> None:
    item = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_audio", "audio": "AAAA"}],
    }
    error = Server().error_for({"type": "conversation.item.create", "item": item})
    assert error is not None and error["param"] == "item.content[0].type"
    text = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "hi"}],
    }
    assert Server().error_for({"type": "conversation.item.create", "item": text}) is None


def test_output_audio_buffer_clear_is_for_webrtc_and_sip_only() -> None:
    error = Server().error_for({"type": "output_audio_buffer.clear"})
    assert error is not None and "WebRTC" in error["message"]
    assert Server(webrtc=True).error_for({"type": "output_audio_buffer.clear"}) is None
