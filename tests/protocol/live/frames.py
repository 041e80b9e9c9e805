"""One representative frame for every GPT-Live client and server event, and for the Responses
events a ``response.event`` carries (test data, each one the openai SDK accepts)."""

from __future__ import annotations

from typing import Any

AUDIO = "AAAA" * 16  # silence, base64

QUESTIONS: list[dict[str, Any]] = [
    {
        "type": "predicate",
        "name": "wants_human",
        "instructions": "Does the caller ask for a human?",
    },
    {
        "type": "choice",
        "name": "topic",
        "instructions": [
            {"type": "input_text", "text": "What is the call about?"},
            {"type": "input_image", "image_url": "https://example.com/menu.png", "detail": "low"},
            {"type": "input_json", "data": {"topics": ["billing", "orders"]}},
        ],
        "choices": [
            {"value": "billing", "description": "Invoices and payments"},
            {"value": True},
        ],
    },
    {
        "type": "score",
        "instructions": "How upset is the caller?",
        "levels": [{"label": "calm"}, {"label": "angry", "description": "Raised voice"}],
    },
]

FUNCTION_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    "strict": True,
}
MCP_TOOL = {
    "type": "mcp",
    "server_label": "docs",
    "server_url": "https://example.com/mcp",
    "allowed_tools": {"read_only": True, "tool_names": ["search"]},
    "require_approval": {"always": {"tool_names": ["delete"]}, "never": {"read_only": True}},
    "allowed_callers": ["direct"],
    "defer_loading": False,
    "server_description": "Product docs",
}
RESPONSES_DELEGATION = {
    "type": "responses",
    "acknowledgement_delay_ms": 0,
    "responses": {
        "model": "gpt-5.5",
        "instructions": "Look things up; answer briefly.",
        "max_output_tokens": 800,
        "parallel_tool_calls": True,
        "reasoning": {"effort": "low", "summary": "auto"},
        "service_tier": "priority",
        "text": {"verbosity": "low"},
        "tool_choice": "auto",
        "tools": [
            FUNCTION_TOOL,
            MCP_TOOL,
            {"type": "web_search"},
            {"type": "shell", "environment": {"type": "container_auto", "memory_limit": "4g"}},
        ],
    },
}
DECISIONS_DELEGATION = {
    "type": "decisions",
    "acknowledgement_delay_ms": 400,
    "decisions": {"model": "gpt-6-luna", "questions": QUESTIONS},
}
TRIGGERS = [
    {
        "type": "decisions",
        "event_type": "session.input_transcript.delta",
        "decisions": {"questions": QUESTIONS[:1]},
    }
]
INPUT = [
    {
        "type": "message",
        "role": "developer",
        "content": [{"type": "input_text", "text": "Be kind."}],
    },
    {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "Hello"}],
        "status": "completed",
    },
    {
        "type": "message",
        "role": "assistant",
        "id": "msg_1",
        "content": [{"type": "output_text", "text": "Hi, how can I help?"}],
    },
]
CLIENT_CONFIG = {
    "data_channel": {
        "allowed_client_events": ["session.instructions.append"],
        "allowed_server_events": [
            {"type": "session.output_transcript.delta"},
            {"type": "response.event", "response_event": "response.output_text.delta"},
        ],
    }
}
SESSION_CONFIG = {
    "model": "gpt-live-1",
    "instructions": "You are a concise concierge.",
    "audio": {
        "format": {"type": "audio/pcm", "rate": 24000},
        "output": {"voice": "marin"},
    },
    "delegation": RESPONSES_DELEGATION,
    "input": INPUT,
    "triggers": TRIGGERS,
    "store": True,
    "safety_identifier": "user_42",
}
SESSION = {
    **SESSION_CONFIG,
    "id": "live_123",
    "expires_at": 1_900_000_000,
    "status": "active",
    "client": CLIENT_CONFIG,
    "audio": {
        "format": {"type": "audio/pcmu", "rate": 8000},
        "output": {"voice": {"id": "voice_1"}},
    },
    "delegation": DECISIONS_DELEGATION,
}
USAGE = {"seconds": 42.0, "active_seconds": 40, "paused_seconds": 2}

FUNCTION_CALL = {
    "type": "function_call",
    "id": "fc_1",
    "call_id": "call_1",
    "name": "get_weather",
    "arguments": '{"city":"Paris"}',
    "status": "completed",
}

CLIENT_FRAMES: dict[str, dict[str, Any]] = {
    "session.start": {"type": "session.start", "event_id": "c1", "session": SESSION_CONFIG},
    "session.update": {
        "type": "session.update",
        "session": {
            "delegation": {
                "type": "responses",
                "acknowledgement_delay_ms": 200,
                "responses": {
                    "instructions": "Be briefer.",
                    "tool_choice": {"type": "function", "name": "get_weather"},
                },
            },
            "triggers": [],
        },
    },
    "session.input_audio.append": {"type": "session.input_audio.append", "audio": AUDIO},
    "session.input_audio.mute": {"type": "session.input_audio.mute", "event_id": "m1"},
    "session.input_audio.unmute": {"type": "session.input_audio.unmute"},
    "session.output_audio.fixture.play": {
        "type": "session.output_audio.fixture.play",
        "event_id": "f1",
        "audio": AUDIO,
    },
    "session.instructions.append": {
        "type": "session.instructions.append",
        "content": "The caller is a premium member.",
        "delegation_id": None,
    },
    "session.thinking.append": {
        "type": "session.thinking.append",
        "content": "Still looking up the order.",
        "delegation_id": "del_1",
    },
    "session.commentary.append": {
        "type": "session.commentary.append",
        "event_id": "k1",
        "content": "Your order ships tomorrow.",
        "delegation_id": "del_1",
    },
    "decision.create": {"type": "decision.create", "event_id": "d1"},
    "decision.item.create": {
        "type": "decision.item.create",
        "item": {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_json", "data": [{"order": 7}]}],
        },
    },
    "decision.item.delete": {"type": "decision.item.delete", "item_id": "ditem_1"},
    "response.item.create": {
        "type": "response.item.create",
        "event_id": "r1",
        "item": {"type": "function_call_output", "call_id": "call_1", "output": '{"temp": 21}'},
    },
    "response.create": {"type": "response.create", "event_id": "r2"},
    "session.close": {"type": "session.close"},
    "transport.dtmf.send": {"type": "transport.dtmf.send", "event": "5", "event_id": "t1"},
}
"""A frame per client event type."""

EXTRA_CLIENT_FRAMES: list[dict[str, Any]] = [
    # A fork's session.start carries overrides only (the model is the stored session's).
    {"type": "session.start", "session": {}},
    {
        "type": "session.start",
        "session": {
            "audio": {"format": {"type": "audio/pcma", "rate": 8000}},
            "delegation": {"type": "responses", "responses": {"max_output_tokens": 300}},
            "store": False,
        },
    },
    {
        "type": "session.start",
        "session": {
            "model": "gpt-live-1.1",
            "delegation": DECISIONS_DELEGATION,
            "audio": {"format": {"type": "audio/pcm", "rate": 16000}},
        },
    },
    {"type": "session.start", "session": {"model": "gpt-live-1", "delegation": {"type": "client"}}},
    {"type": "session.start", "session": {"model": "gpt-live-1", "delegation": None}},
    {
        "type": "session.update",
        "session": {"delegation": {"type": "decisions", "decisions": {"questions": QUESTIONS}}},
    },
    {
        "type": "session.update",
        "session": {
            "delegation": {
                "type": "responses",
                "responses": {
                    "tool_choice": {
                        "type": "allowed_tools",
                        "mode": "required",
                        "tools": [
                            {"type": "function", "name": "get_weather"},
                            {"type": "mcp", "server_label": "docs", "name": "search"},
                            {"type": "file_search"},
                            {"type": "custom", "name": "grep"},
                        ],
                    },
                    "tools": [{"type": "code_interpreter"}, {"type": "apply_patch"}],
                },
            }
        },
    },
    {
        "type": "response.item.create",
        "item": {"type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": True},
    },
    {
        "type": "response.item.create",
        "item": {"type": "message", "role": "user", "content": "What's the weather in Paris?"},
    },
    {
        "type": "response.item.create",
        "item": {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "This one:"},
                {"type": "input_image", "image_url": "https://example.com/a.png", "detail": "auto"},
                {"type": "input_file", "file_id": "file_1"},
            ],
        },
    },
    {
        "type": "response.item.create",
        "item": {
            "type": "function_call_output",
            "call_id": "call_2",
            "output": [{"type": "input_text", "text": "21 degrees"}],
        },
    },
    {"type": "response.item.create", "item": FUNCTION_CALL},
    {
        "type": "decision.item.create",
        "item": {
            "type": "function_call",
            "call_id": "call_1",
            "name": "lookup",
            "arguments": "{}",
            "namespace": "orders",
        },
    },
    {
        "type": "decision.item.create",
        "item": {
            "type": "message",
            "role": "assistant",
            "content": "Sure.",
            "phase": "final_answer",
        },
    },
    {
        "type": "decision.item.create",
        "item": {"type": "custom_tool_call_output", "call_id": "ct_1", "output": "ok"},
    },
]
"""More shapes of client events: forks, each delegation, and the items of each kind."""

SERVER_FRAMES: dict[str, dict[str, Any]] = {
    "session.started": {
        "type": "session.started",
        "event_id": "e1",
        "client_event_id": "c1",
        "session": SESSION,
    },
    "session.updated": {"type": "session.updated", "event_id": "e2", "session": SESSION},
    "session.resumed": {"type": "session.resumed", "event_id": "e3"},
    "session.paused": {"type": "session.paused", "event_id": "e4"},
    "session.input_audio.muted": {
        "type": "session.input_audio.muted",
        "event_id": "e5",
        "client_event_id": "m1",
    },
    "session.input_audio.unmuted": {"type": "session.input_audio.unmuted", "event_id": "e6"},
    "session.output_audio.fixture.playing": {
        "type": "session.output_audio.fixture.playing",
        "event_id": "e7",
        "client_event_id": "f1",
    },
    "session.output_audio.fixture.played": {
        "type": "session.output_audio.fixture.played",
        "event_id": "e8",
    },
    "session.instructions.appended": {
        "type": "session.instructions.appended",
        "event_id": "e9",
        "start_ms": 1200,
        "end_ms": 1200,
    },
    "session.thinking.appended": {
        "type": "session.thinking.appended",
        "event_id": "e10",
        "start_ms": 1300,
        "end_ms": 1300,
        "client_event_id": "x",
    },
    "session.commentary.appended": {
        "type": "session.commentary.appended",
        "event_id": "e11",
        "start_ms": 1400,
        "end_ms": 2900,
        "client_event_id": "k1",
    },
    "session.input_transcript.delta": {
        "type": "session.input_transcript.delta",
        "event_id": "e12",
        "delta": "What's the weather",
        "start_ms": 0,
        "end_ms": 900,
    },
    "session.output_transcript.delta": {
        "type": "session.output_transcript.delta",
        "event_id": "e13",
        "delta": "Let me check.",
        "start_ms": 950,
        "end_ms": 1700,
    },
    "session.delegation.created": {
        "type": "session.delegation.created",
        "event_id": "e14",
        "offset_ms": 1000,
        "delegation": {
            "type": "delegation",
            "id": "del_1",
            "target": "responses",
            "response_id": "resp_1",
        },
    },
    "decision.event": {
        "type": "decision.event",
        "event_id": "e15",
        "delegation_id": None,
        "source_event_id": "e12",
        "source_event_type": "session.input_transcript.delta",
        "trigger_id": "trg_1",
        "event": {
            "type": "decision.completed",
            "decision": {
                "model": "gpt-6-luna",
                "answers": [
                    {"type": "predicate", "name": "wants_human", "probability": 0.1},
                    {
                        "type": "choice",
                        "name": "topic",
                        "choice": "billing",
                        "confidence": 0.8,
                        "probabilities": [
                            {"value": "billing", "probability": 0.8},
                            {"value": True, "probability": 0.2},
                        ],
                    },
                    {
                        "type": "score",
                        "name": None,
                        "score": 1.2,
                        "confidence": 0.7,
                        "probabilities": [
                            {"label": "calm", "value": 0, "probability": 0.3},
                            {"label": "angry", "value": 1, "probability": 0.7},
                        ],
                    },
                    {"type": "refusal", "name": "other"},
                ],
                "usage": {
                    "input_tokens": 120,
                    "input_tokens_details": {"cache_write_tokens": 0, "cached_tokens": 64},
                    "output_tokens": 4,
                    "output_tokens_details": {"reasoning_tokens": 0},
                    "total_tokens": 124,
                },
            },
        },
    },
    "decision.item.created": {
        "type": "decision.item.created",
        "event_id": "e16",
        "item": {
            "type": "function_call_output",
            "id": "ditem_2",
            "call_id": "call_1",
            "output": [{"type": "input_text", "text": "found"}],
            "status": "completed",
        },
    },
    "decision.item.deleted": {
        "type": "decision.item.deleted",
        "event_id": "e17",
        "item_id": "ditem_1",
    },
    "response.event": {
        "type": "response.event",
        "event_id": "e18",
        "delegation_id": "del_1",
        "event": {
            "type": "response.output_item.done",
            "sequence_number": 7,
            "output_index": 0,
            "item": FUNCTION_CALL,
        },
    },
    "session.usage.updated": {
        "type": "session.usage.updated",
        "event_id": "e19",
        "usage": USAGE,
        "context_window": {"usage_ratio": 0.12},
    },
    "session.closed": {
        "type": "session.closed",
        "event_id": "e20",
        "reason": "close_requested",
        "session": SESSION,
        "usage": {"seconds": 61.0},
    },
    "error": {
        "type": "error",
        "event_id": "e21",
        "client_event_id": "c9",
        "error": {
            "type": "invalid_request_error",
            "code": "unknown_parameter",
            "message": "Unknown parameter: 'session.voice'.",
            "param": "session.voice",
            "client_event_id": "c9",
        },
    },
    "info": {
        "type": "info",
        "event_id": "e22",
        "code": "data_channel_permissions",
        "message": "The data channel may send 1 client event type.",
    },
    "session.input_audio.append": {"type": "session.input_audio.append", "audio": AUDIO},
    "session.output_audio.delta": {
        "type": "session.output_audio.delta",
        "delta": AUDIO,
        "start_ms": 1000,
        "end_ms": 1020,
    },
    "transport.dtmf.received": {"type": "transport.dtmf.received", "event_id": "e23", "event": "#"},
    "transport.dtmf.send": {
        "type": "transport.dtmf.send",
        "event_id": "e24",
        "event": "5",
        "client_event_id": "t1",
    },
    "transport.dtmf.sent": {"type": "transport.dtmf.sent", "event_id": "e25", "event": "5"},
    "transport.ringing": {"type": "transport.ringing", "event_id": "e26", "session_id": "live_1"},
    "transport.answered": {"type": "transport.answered", "event_id": "e27", "session_id": "live_1"},
    "transport.failed": {
        "type": "transport.failed",
        "event_id": "e28",
        "session_id": "live_1",
        "error": {"type": "call_error", "code": "busy", "message": "The callee is busy."},
    },
}
"""A frame per server event type."""

RESPONSE = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1_760_000_000,
    "model": "gpt-5.5",
    "status": "in_progress",
    "output": [],
    "parallel_tool_calls": True,
    "tool_choice": "auto",
    "tools": [],
}
OUTPUT_MESSAGE = {
    "type": "message",
    "id": "msg_9",
    "role": "assistant",
    "status": "completed",
    "content": [{"type": "output_text", "text": "It is 21 degrees.", "annotations": []}],
}
MCP_APPROVAL_REQUEST = {
    "type": "mcp_approval_request",
    "id": "mcpr_1",
    "server_label": "docs",
    "name": "delete",
    "arguments": '{"page": 3}',
}
MCP_CALL = {
    "type": "mcp_call",
    "id": "mcp_1",
    "server_label": "docs",
    "name": "search",
    "arguments": '{"q": "returns"}',
    "output": "Returns within 30 days.",
    "status": "completed",
}

RESPONSES_FRAMES: dict[str, dict[str, Any]] = {
    "response.created": {"type": "response.created", "sequence_number": 0, "response": RESPONSE},
    "response.in_progress": {
        "type": "response.in_progress",
        "sequence_number": 1,
        "response": RESPONSE,
    },
    "response.output_item.added": {
        "type": "response.output_item.added",
        "sequence_number": 2,
        "output_index": 0,
        "item": {**FUNCTION_CALL, "arguments": "", "status": "in_progress"},
    },
    "response.function_call_arguments.delta": {
        "type": "response.function_call_arguments.delta",
        "sequence_number": 3,
        "item_id": "fc_1",
        "output_index": 0,
        "delta": '{"city":',
    },
    "response.function_call_arguments.done": {
        "type": "response.function_call_arguments.done",
        "sequence_number": 4,
        "item_id": "fc_1",
        "output_index": 0,
        "arguments": '{"city":"Paris"}',
    },
    "response.output_item.done": {
        "type": "response.output_item.done",
        "sequence_number": 5,
        "output_index": 0,
        "item": FUNCTION_CALL,
    },
    "response.completed": {
        "type": "response.completed",
        "sequence_number": 6,
        "response": {
            **RESPONSE,
            "status": "completed",
            "completed_at": 1_760_000_002,
            "output": [FUNCTION_CALL, OUTPUT_MESSAGE],
            "usage": {
                "input_tokens": 300,
                "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                "output_tokens": 20,
                "output_tokens_details": {"reasoning_tokens": 8},
                "total_tokens": 320,
            },
        },
    },
    "response.failed": {
        "type": "response.failed",
        "sequence_number": 6,
        "response": {
            **RESPONSE,
            "status": "failed",
            "error": {"code": "server_error", "message": "The backend failed."},
        },
    },
    "response.incomplete": {
        "type": "response.incomplete",
        "sequence_number": 6,
        "response": {
            **RESPONSE,
            "status": "incomplete",
            "incomplete_details": {"reason": "max_output_tokens"},
        },
    },
    "error": {
        "type": "error",
        "sequence_number": 1,
        "code": "rate_limit_exceeded",
        "message": "Slow down.",
        "param": None,
    },
}
"""A frame per Responses streaming event the framework acts on (inside ``response.event``)."""

OUTPUT_ITEMS: list[dict[str, Any]] = [
    FUNCTION_CALL,
    OUTPUT_MESSAGE,
    MCP_APPROVAL_REQUEST,
    MCP_CALL,
    {
        "type": "mcp_call",
        "id": "mcp_2",
        "server_label": "docs",
        "name": "search",
        "arguments": "{}",
        "error": {
            "type": "mcp_tool_execution_error",
            "content": [{"type": "text", "text": "boom"}],
        },
        "status": "failed",
    },
    {
        "type": "function_call_output",
        "id": "fco_1",
        "call_id": "call_1",
        "output": "21 degrees",
        "status": "completed",
    },
    {
        "type": "mcp_list_tools",
        "id": "mcpl_1",
        "server_label": "docs",
        "tools": [{"name": "search", "input_schema": {"type": "object"}, "description": "Search"}],
    },
    {
        "type": "custom_tool_call",
        "id": "ct_1",
        "call_id": "call_7",
        "name": "grep",
        "input": "TODO",
        "caller": {"type": "program", "caller_id": "prog_1"},
    },
]
"""Output items of each kind the framework types."""

WEBHOOKS: list[dict[str, Any]] = [
    {
        "id": "evt_1",
        "object": "event",
        "created_at": 1_760_000_000,
        "type": "live.transport.incoming",
        "data": {
            "type": "sip",
            "session_id": "live_9",
            "sip_headers": [{"name": "From", "value": "<sip:+15551234567@example.com>"}],
            "sip_media_security": "srtp",
        },
    },
    {
        "id": "evt_2",
        "object": "event",
        "created_at": 1_760_000_001,
        "type": "live.transport.connected",
        "data": {"type": "webrtc", "session_id": "live_10"},
    },
    {
        "id": "evt_3",
        "created_at": 1_760_000_002,
        "type": "live.call.incoming",
        "data": {"session_id": "live_11", "sip_headers": []},
    },
]
"""The ``live.*`` webhook events."""
