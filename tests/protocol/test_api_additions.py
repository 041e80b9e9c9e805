"""What the API added since the spec decodes into typed fields, and open strings stay open."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.realtime import RealtimeClientEvent, RealtimeServerEvent
from pydantic import TypeAdapter

from rtagents import protocol as p

OA_SERVER = TypeAdapter(RealtimeServerEvent)
OA_CLIENT = TypeAdapter(RealtimeClientEvent)

TRANSCRIPTION = {
    "model": "gpt-realtime-whisper",
    "language": "en",
    "languages": ["en", "fr"],
    "keywords": ["rtagents", "Marin"],
    "delay": "low",
}
MCP_TOOL = {
    "type": "mcp",
    "server_label": "docs",
    "tunnel_id": "tun_1",
    "allowed_callers": ["direct", "programmatic"],
    "defer_loading": True,
}
SESSION = {
    "type": "realtime",
    "parallel_tool_calls": False,
    "reasoning": {"effort": "xhigh"},
    "tools": [MCP_TOOL],
    "audio": {
        "input": {
            "transcription": TRANSCRIPTION,
            "noise_reduction": {"type": "far_field", "strength": 0.4},
        }
    },
}


def _server(frame: dict[str, Any]) -> Any:
    OA_SERVER.validate_python(frame)  # the frame is one the API sends
    event = p.decode_server_event(json.dumps(frame))
    assert json.loads(p.encode_server_event(event)) == frame
    return event


@pytest.mark.parametrize(
    "model",
    ["gpt-transcribe", "gpt-live-transcribe", "gpt-realtime-whisper", "gpt-next-transcribe"],
)
def test_any_transcription_model_decodes_and_parses(model: str) -> None:
    session = {"type": "realtime", "audio": {"input": {"transcription": {"model": model}}}}
    event = _server({"type": "session.updated", "event_id": "e1", "session": session})
    assert event.session.audio.input.transcription.model == model
    update = p.parse_client_event({"type": "session.update", "session": session})
    assert update.session.audio.input.transcription.model == model


def test_the_new_session_fields_are_typed_and_round_trip() -> None:
    event = _server({"type": "session.updated", "event_id": "e1", "session": SESSION})
    session = event.session
    assert session.model_extra == {}  # every field is modelled, none kept as an extra
    assert session.parallel_tool_calls is False
    assert session.reasoning == p.Reasoning(effort="xhigh")
    transcription = session.audio.input.transcription
    assert transcription.languages == ["en", "fr"]
    assert (transcription.keywords, transcription.delay) == (["rtagents", "Marin"], "low")
    assert session.audio.input.noise_reduction.strength == 0.4
    tool = session.tools[0]
    assert isinstance(tool, p.McpToolDefinition)
    assert (tool.tunnel_id, tool.defer_loading) == ("tun_1", True)
    assert tool.allowed_callers == ["direct", "programmatic"]

    frame = {"type": "session.update", "session": SESSION}
    text = p.encode_client_event(p.SessionUpdate.model_validate(frame))
    assert json.loads(text) == frame  # encoded exactly as given
    OA_CLIENT.validate_json(text)


def test_response_create_takes_reasoning_and_parallel_tool_calls() -> None:
    frame = {
        "type": "response.create",
        "response": {"parallel_tool_calls": True, "reasoning": {"effort": "minimal"}},
    }
    event = p.parse_client_event(frame)
    assert event.response.parallel_tool_calls is True
    assert event.response.reasoning.effort == "minimal"
    assert json.loads(p.encode_client_event(event)) == frame
    OA_CLIENT.validate_python(frame)


def test_a_failed_responses_error_message_and_detected_languages_are_typed() -> None:
    done = _server(
        {
            "type": "response.done",
            "event_id": "e2",
            "response": {
                "id": "resp_1",
                "status": "failed",
                "status_details": {
                    "type": "failed",
                    "error": {"type": "server_error", "code": "oops", "message": "It broke."},
                },
            },
        }
    )
    assert done.response.status_details.error.message == "It broke."
    completed = _server(
        {
            "type": "conversation.item.input_audio_transcription.completed",
            "event_id": "e3",
            "item_id": "item_1",
            "content_index": 0,
            "transcript": "bonjour",
            "usage": {"type": "duration", "seconds": 1.5},
            "languages": [{"code": "fr"}],
        }
    )
    assert completed.languages == [p.TranscriptionLanguage(code="fr")]


def test_closed_enums_stay_closed() -> None:
    bad = {"type": "realtime", "reasoning": {"effort": "maximal"}}
    with pytest.raises(p.ProtocolError) as info:
        p.parse_client_event({"type": "session.update", "session": bad})
    assert info.value.param == "session.reasoning.effort"


@pytest.mark.parametrize(
    ("session", "param"),
    [
        # ``transcription`` is also the tag of a session type: it is a field here.
        ({"audio": {"input": {"transcription": {"model": 5}}}}, "audio.input.transcription.model"),
        ({"audio": {"input": {"transcription": {"delay": 1}}}}, "audio.input.transcription.delay"),
        (
            {"tools": [{"type": "mcp", "server_label": "x", "defer_loading": []}]},
            "tools[0].defer_loading",
        ),
        ({"tool_choice": {"type": "function"}}, "tool_choice.name"),
        ({"max_output_tokens": 0}, "max_output_tokens"),
        ({"audio": {"output": {"format": {"type": "audio/mp3"}}}}, "audio.output.format"),
    ],
)
def test_error_params_are_wire_paths(session: dict[str, Any], param: str) -> None:
    event = {"type": "session.update", "session": {"type": "realtime", **session}}
    with pytest.raises(p.ProtocolError) as info:
        p.parse_client_event(event)
    assert info.value.param == f"session.{param}"
    assert any(line.startswith(f"session.{param}:") for line in info.value.errors)
