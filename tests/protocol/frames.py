"""One representative frame for every server and client event of the spec (test data)."""

from __future__ import annotations

from typing import Any

AUDIO_1280 = "A" * 1280  # 960 bytes of silence, base64

_C = {"response_id": "resp_1", "item_id": "item_1", "output_index": 0, "content_index": 0}
_SESSION = {
    "type": "realtime",
    "model": "gpt-realtime",
    "instructions": "Be brief.",
    "output_modalities": ["audio"],
    "audio": {
        "input": {
            "format": {"type": "audio/pcm", "rate": 24000},
            "noise_reduction": {"type": "near_field"},
            "transcription": {"model": "whisper-1", "language": "en"},
            "turn_detection": {
                "type": "server_vad",
                "threshold": 0.5,
                "prefix_padding_ms": 300,
                "silence_duration_ms": 500,
                "create_response": True,
                "interrupt_response": True,
                "idle_timeout_ms": 6000,
            },
        },
        "output": {"format": {"type": "audio/pcmu"}, "voice": "marin", "speed": 1.0},
    },
    "tools": [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Weather for a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
        {
            "type": "mcp",
            "server_label": "docs",
            "server_url": "https://example.com/mcp",
            "allowed_tools": {"read_only": True},
            "require_approval": {"never": {"tool_names": ["search"]}},
        },
    ],
    "tool_choice": "auto",
    "tracing": {"workflow_name": "concierge", "group_id": "g1", "metadata": {"k": "v"}},
    "truncation": {"type": "retention_ratio", "retention_ratio": 0.8},
    "max_output_tokens": "inf",
}
_RESPONSE = {
    "id": "resp_1",
    "object": "realtime.response",
    "status": "completed",
    "status_details": {"type": "completed"},
    "conversation_id": "conv_1",
    "output_modalities": ["audio"],
    "max_output_tokens": "inf",
    "audio": {"output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin"}},
    "output": [
        {
            "id": "item_1",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "object": "realtime.item",
            "content": [{"type": "output_audio", "transcript": "Hi"}],
        },
        {
            "id": "item_2",
            "type": "function_call",
            "name": "get_weather",
            "call_id": "call_1",
            "arguments": '{"city":"Paris"}',
            "status": "completed",
        },
    ],
    "usage": {
        "total_tokens": 30,
        "input_tokens": 20,
        "output_tokens": 10,
        "input_token_details": {
            "text_tokens": 10,
            "audio_tokens": 10,
            "image_tokens": 0,
            "cached_tokens": 5,
            "cached_tokens_details": {"text_tokens": 5, "audio_tokens": 0, "image_tokens": 0},
        },
        "output_token_details": {"text_tokens": 4, "audio_tokens": 6},
    },
}
_USER_ITEM = {
    "id": "item_u",
    "type": "message",
    "role": "user",
    "status": "completed",
    "content": [{"type": "input_text", "text": "Weather in Paris?"}],
}
_MCP_CALL = {
    "id": "mcp_1",
    "type": "mcp_call",
    "server_label": "docs",
    "name": "search",
    "arguments": '{"q":"x"}',
    "output": None,
    "error": {"type": "protocol_error", "code": -32600, "message": "bad"},
}


def _ev(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "event_id": "event_1", **fields}


SERVER_FRAMES: dict[str, dict[str, Any]] = {
    "conversation.created": _ev(
        "conversation.created", conversation={"id": "conv_1", "object": "realtime.conversation"}
    ),
    "conversation.item.created": _ev(
        "conversation.item.created", item=_USER_ITEM, previous_item_id=None
    ),
    "conversation.item.added": _ev(
        "conversation.item.added",
        item={
            "id": "item_s",
            "type": "message",
            "role": "system",
            "content": [{"type": "input_text", "text": "The user is in Paris."}],
        },
        previous_item_id="item_u",
    ),
    "conversation.item.done": _ev(
        "conversation.item.done",
        item={"type": "function_call_output", "id": "item_o", "call_id": "call_1", "output": "ok"},
    ),
    "conversation.item.retrieved": _ev(
        "conversation.item.retrieved",
        item={
            "id": "item_a",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_audio", "audio": "AAAA", "transcript": "hello"}],
        },
    ),
    "conversation.item.deleted": _ev("conversation.item.deleted", item_id="item_1"),
    "conversation.item.truncated": _ev(
        "conversation.item.truncated", item_id="item_1", content_index=0, audio_end_ms=1500
    ),
    "conversation.item.input_audio_transcription.completed": _ev(
        "conversation.item.input_audio_transcription.completed",
        item_id="item_1",
        content_index=0,
        transcript="hello",
        usage={
            "type": "tokens",
            "input_tokens": 3,
            "output_tokens": 2,
            "total_tokens": 5,
            "input_token_details": {"audio_tokens": 3, "text_tokens": 0},
        },
        logprobs=[{"token": "hello", "bytes": [104, 101], "logprob": -0.1}],
    ),
    "conversation.item.input_audio_transcription.delta": _ev(
        "conversation.item.input_audio_transcription.delta",
        item_id="item_1",
        content_index=0,
        delta="hel",
    ),
    "conversation.item.input_audio_transcription.failed": _ev(
        "conversation.item.input_audio_transcription.failed",
        item_id="item_1",
        content_index=0,
        error={"type": "transcription_error", "code": "audio_unintelligible", "message": "no"},
    ),
    "conversation.item.input_audio_transcription.segment": _ev(
        "conversation.item.input_audio_transcription.segment",
        id="seg_1",
        item_id="item_1",
        content_index=0,
        start=0.0,
        end=1.5,
        speaker="A",
        text="hello",
    ),
    "error": _ev(
        "error",
        error={
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "bad speed",
            "param": "session.audio.output.speed",
            "event_id": "evt_client_1",
        },
    ),
    "input_audio_buffer.cleared": _ev("input_audio_buffer.cleared"),
    "input_audio_buffer.committed": _ev(
        "input_audio_buffer.committed", item_id="item_1", previous_item_id="item_0"
    ),
    "input_audio_buffer.speech_started": _ev(
        "input_audio_buffer.speech_started", audio_start_ms=100, item_id="item_1"
    ),
    "input_audio_buffer.speech_stopped": _ev(
        "input_audio_buffer.speech_stopped", audio_end_ms=900, item_id="item_1"
    ),
    "input_audio_buffer.timeout_triggered": _ev(
        "input_audio_buffer.timeout_triggered", audio_start_ms=0, audio_end_ms=6000, item_id="i"
    ),
    "rate_limits.updated": _ev(
        "rate_limits.updated",
        rate_limits=[
            {"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 60},
            {"name": "tokens", "limit": 50000, "remaining": 49000, "reset_seconds": 1.5},
        ],
    ),
    "response.output_audio.delta": _ev("response.output_audio.delta", **_C, delta=AUDIO_1280),
    "response.output_audio.done": _ev("response.output_audio.done", **_C),
    "response.output_audio_transcript.delta": _ev(
        "response.output_audio_transcript.delta", **_C, delta="Hel"
    ),
    "response.output_audio_transcript.done": _ev(
        "response.output_audio_transcript.done", **_C, transcript="Hello"
    ),
    "response.content_part.added": _ev(
        "response.content_part.added", **_C, part={"type": "audio", "transcript": ""}
    ),
    "response.content_part.done": _ev(
        "response.content_part.done", **_C, part={"type": "text", "text": "Hello"}
    ),
    "response.created": _ev(
        "response.created",
        response={"id": "resp_1", "object": "realtime.response", "status": "in_progress"},
    ),
    "response.done": _ev("response.done", response=_RESPONSE),
    "response.function_call_arguments.delta": _ev(
        "response.function_call_arguments.delta",
        response_id="resp_1",
        item_id="item_2",
        output_index=1,
        call_id="call_1",
        delta='{"ci',
    ),
    "response.function_call_arguments.done": _ev(
        "response.function_call_arguments.done",
        response_id="resp_1",
        item_id="item_2",
        output_index=1,
        call_id="call_1",
        name="get_weather",
        arguments='{"city":"Paris"}',
    ),
    "response.output_item.added": _ev(
        "response.output_item.added",
        response_id="resp_1",
        output_index=0,
        item={
            "id": "item_1",
            "type": "message",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        },
    ),
    "response.output_item.done": _ev(
        "response.output_item.done",
        response_id="resp_1",
        output_index=0,
        item={
            "id": "apr_1",
            "type": "mcp_approval_request",
            "server_label": "docs",
            "name": "delete",
            "arguments": "{}",
        },
    ),
    "response.output_text.delta": _ev("response.output_text.delta", **_C, delta="Hel"),
    "response.output_text.done": _ev("response.output_text.done", **_C, text="Hello"),
    "session.created": _ev(
        "session.created", session={**_SESSION, "id": "sess_1", "object": "realtime.session"}
    ),
    "session.updated": _ev(
        "session.updated",
        session={
            "type": "transcription",
            "include": ["item.input_audio_transcription.logprobs"],
            "audio": {
                "input": {
                    "format": {"type": "audio/pcma"},
                    "transcription": {"model": "gpt-4o-transcribe"},
                    "turn_detection": {"type": "semantic_vad", "eagerness": "low"},
                }
            },
        },
    ),
    "output_audio_buffer.started": _ev("output_audio_buffer.started", response_id="resp_1"),
    "output_audio_buffer.stopped": _ev("output_audio_buffer.stopped", response_id="resp_1"),
    "output_audio_buffer.cleared": _ev("output_audio_buffer.cleared", response_id="resp_1"),
    "mcp_list_tools.in_progress": _ev("mcp_list_tools.in_progress", item_id="mcpl_1"),
    "mcp_list_tools.completed": _ev("mcp_list_tools.completed", item_id="mcpl_1"),
    "mcp_list_tools.failed": _ev("mcp_list_tools.failed", item_id="mcpl_1"),
    "response.mcp_call_arguments.delta": _ev(
        "response.mcp_call_arguments.delta",
        response_id="resp_1",
        item_id="mcp_1",
        output_index=0,
        delta='{"q"',
        obfuscation=None,
    ),
    "response.mcp_call_arguments.done": _ev(
        "response.mcp_call_arguments.done",
        response_id="resp_1",
        item_id="mcp_1",
        output_index=0,
        arguments='{"q":"x"}',
    ),
    "response.mcp_call.in_progress": _ev(
        "response.mcp_call.in_progress", item_id="mcp_1", output_index=0
    ),
    "response.mcp_call.completed": _ev(
        "response.mcp_call.completed", item_id="mcp_1", output_index=0
    ),
    "response.mcp_call.failed": _ev("response.mcp_call.failed", item_id="mcp_1", output_index=0),
}

# Items the frames above do not reach yet, carried by conversation.item.created frames.
EXTRA_ITEMS: list[dict[str, Any]] = [
    {
        "type": "mcp_list_tools",
        "id": "mcpl_1",
        "server_label": "docs",
        "tools": [
            {
                "name": "search",
                "input_schema": {"type": "object"},
                "description": "Search the docs",
                "annotations": {"readOnlyHint": True},
            }
        ],
    },
    _MCP_CALL,
    {**_MCP_CALL, "error": {"type": "tool_execution_error", "message": "boom"}},
    {**_MCP_CALL, "error": {"type": "http_error", "code": 502, "message": "bad gateway"}},
    {**_MCP_CALL, "error": None, "output": "found it", "approval_request_id": "apr_1"},
    {
        "type": "mcp_approval_response",
        "id": "mcpr_1",
        "approval_request_id": "apr_1",
        "approve": True,
    },
    {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_image", "image_url": "data:image/png;base64,AAAA"}],
    },
]

CLIENT_FRAMES: dict[str, dict[str, Any]] = {
    "session.update": {"type": "session.update", "event_id": "c1", "session": _SESSION},
    "input_audio_buffer.append": {"type": "input_audio_buffer.append", "audio": AUDIO_1280},
    "input_audio_buffer.commit": {"type": "input_audio_buffer.commit"},
    "input_audio_buffer.clear": {"type": "input_audio_buffer.clear"},
    "output_audio_buffer.clear": {"type": "output_audio_buffer.clear"},
    "conversation.item.create": {
        "type": "conversation.item.create",
        "previous_item_id": "root",
        "item": {"type": "function_call_output", "call_id": "call_1", "output": '{"t": 21}'},
    },
    "conversation.item.delete": {"type": "conversation.item.delete", "item_id": "item_1"},
    "conversation.item.retrieve": {"type": "conversation.item.retrieve", "item_id": "item_1"},
    "conversation.item.truncate": {
        "type": "conversation.item.truncate",
        "item_id": "item_1",
        "content_index": 0,
        "audio_end_ms": 1200,
    },
    "response.create": {
        "type": "response.create",
        "response": {
            "conversation": "none",
            "instructions": "Summarise.",
            "output_modalities": ["text"],
            "metadata": {"topic": "x"},
            "tool_choice": {"type": "function", "name": "get_weather"},
            "input": [_USER_ITEM],
            "max_output_tokens": 200,
        },
    },
    "response.cancel": {"type": "response.cancel", "response_id": "resp_1"},
}
