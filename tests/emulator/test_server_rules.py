"""The emulator refuses what the real server refuses, with its codes and params. No socket:
the server's connection is driven directly."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rtagents.emulator.connection import EmulatorConnection, Options
from rtagents.emulator.hosted_mcp import HostedMCPRunner
from rtagents.emulator.models import ScriptedModel

pytestmark = pytest.mark.anyio


class Server:
    def __init__(self, **options: Any) -> None:
        self.out: list[dict[str, Any]] = []

        async def send(frame: str) -> None:
            self.out.append(json.loads(frame))

        self.conn = EmulatorConnection(
            ScriptedModel([]),
            Options(**options),
            send,
            model_name="gpt-realtime",
            hosted_mcp=HostedMCPRunner(),
        )

    async def error_for(self, event: dict[str, Any]) -> dict[str, Any] | None:
        self.out.clear()
        await self.conn.handle(json.dumps({"event_id": "c1", **event}))
        errors = [e["error"] for e in self.out if e["type"] == "error"]
        return errors[0] if errors else None


def update(**session: Any) -> dict[str, Any]:
    return {"type": "session.update", "session": {"type": "realtime", **session}}


async def test_session_type_is_required() -> None:
    error = await Server().error_for({"type": "session.update", "session": {"instructions": "x"}})
    assert error is not None
    assert (error["code"], error["param"]) == ("missing_required_parameter", "session.type")


@pytest.mark.parametrize("idle", [4999, 30001])
async def test_idle_timeout_has_the_real_range(idle: int) -> None:
    vad = {"type": "server_vad", "idle_timeout_ms": idle}
    error = await Server().error_for(update(audio={"input": {"turn_detection": vad}}))
    assert (
        error is not None and error["param"] == "session.audio.input.turn_detection.idle_timeout_ms"
    )
    ok = {"type": "server_vad", "idle_timeout_ms": 5000}
    assert await Server().error_for(update(audio={"input": {"turn_detection": ok}})) is None


async def test_output_modalities_are_text_or_audio_not_both() -> None:
    error = await Server().error_for(update(output_modalities=["text", "audio"]))
    assert error is not None and error["param"] == "session.output_modalities"


async def test_tracing_cannot_change_once_set() -> None:
    server = Server()
    assert await server.error_for(update(tracing={"workflow_name": "a"})) is None
    assert await server.error_for(update(tracing={"workflow_name": "a"})) is None  # the same
    error = await server.error_for(update(tracing={"workflow_name": "b"}))
    assert error is not None and error["param"] == "session.tracing"


async def test_the_model_cannot_change() -> None:
    error = await Server().error_for(update(model="gpt-realtime-mini"))
    assert error is not None and error["param"] == "session.model"


async def test_an_assistant_message_cannot_carry_audio() -> None:
    item = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_audio", "audio": "AAAA"}],
    }
    error = await Server().error_for({"type": "conversation.item.create", "item": item})
    assert error is not None and error["param"] == "item.content[0].type"
    text = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "hi"}],
    }
    assert await Server().error_for({"type": "conversation.item.create", "item": text}) is None


async def test_output_audio_buffer_clear_is_for_webrtc_and_sip_only() -> None:
    error = await Server().error_for({"type": "output_audio_buffer.clear"})
    assert error is not None and "WebRTC" in error["message"]
    assert await Server(webrtc=True).error_for({"type": "output_audio_buffer.clear"}) is None
